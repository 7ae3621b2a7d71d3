"""Stories: claims of different documents that state the same thing, grouped as documents arrive.

The store calls :meth:`Stories.add_document` and :meth:`Stories.remove_document` inside its
write transaction, so a story never names a claim that is not stored. This module owns the
story tables (created by the store's migrations) and is the only one that writes them.

How a claim finds its story. Candidates are the most recent claims (CANDIDATES per actor)
that share a subject actor with it. Each is scored with RapidFuzz's ``token_set_ratio`` on
the two signatures (sorted stems, see :mod:`claimscope.stories.signature`); the claim joins
the story of the best candidate scoring at least THRESHOLD, or starts a story of its own.
token_set_ratio scores the shared stems against each side's own, so a short claim that
restates part of a long one scores high, while two claims that only share a subject and a
word or two stay apart. THRESHOLD and the choice of scorer come from a measurement on the
seeds and the dev set (bench/stories_quality.py; figures in bench/README.md).

A story keeps its id for as long as it has claims. Removing a document takes its claims out
of their stories (a story left with none is deleted); the claims that remain stay together.
"""

from __future__ import annotations

import secrets
import sqlite3
from collections.abc import Callable, Iterator

import msgspec
from rapidfuzz import fuzz, process

from claimscope.models import Document, parse_published_at
from claimscope.stories.conflicts import conflicts
from claimscope.stories.models import Story, StoryFigure, TimelineEntry
from claimscope.stories.signature import Signature, signatures
from claimscope.stories.state import StoryState, fold

THRESHOLD = 50  # token_set_ratio, 0-100
Scorer = Callable[..., float]
CANDIDATES = 32  # most recent claims looked at per subject actor

_encode = msgspec.json.Encoder().encode
_decode_entry = msgspec.json.Decoder(TimelineEntry).decode
_decode_state = msgspec.json.Decoder(StoryState).decode


def new_story_id() -> str:
    return "st-" + secrets.token_hex(6)


def timeline_entries(document: Document) -> list[TimelineEntry]:
    """The claims of `document` as a story's timeline shows them, each with its date."""
    published = document.published_at if parse_published_at(document.published_at) else None
    figures = document.extraction.figures
    names = {a.id: a.name for a in document.extraction.actors}
    entries = []
    for claim in document.extraction.claims:
        stated = claim.date if claim.date and not claim.date.startswith("--") else None
        date, basis = (
            (stated, "claim")
            if stated
            else (published, "published_at")
            if published
            else (document.ingested_at.isoformat(), "ingested_at")
        )
        entries.append(
            TimelineEntry(
                claim_id=claim.id,
                document_id=document.id,
                text=claim.text,
                status=claim.status,
                date=date,
                date_basis=basis,  # type: ignore[arg-type]
                cue=claim.cue,
                claimant_id=claim.claimant_id,
                claimant_name=claim.claimant_name or names.get(claim.claimant_id or ""),
                subject_ids=list(dict.fromkeys(claim.subject_ids)),
                figures=[
                    StoryFigure(f.text, f.value, f.unit, f.qualifier, f.value_max)
                    for f in (figures[i] for i in claim.figure_refs if 0 <= i < len(figures))
                ],
                source=document.source,
                url=document.url,
                title=document.title,
                published_at=document.published_at,
            )
        )
    return entries


class _Candidates:
    """The signatures recently seen with one subject actor, each with its latest story."""

    __slots__ = ("stories",)

    def __init__(self) -> None:
        self.stories: dict[str, str] = {}

    def add(self, key: str, story_id: str) -> None:
        if key:
            self.stories.setdefault(key, story_id)


class Stories:
    """Story grouping and reads over the store's database."""

    def __init__(
        self,
        *,
        threshold: int = THRESHOLD,
        candidates: int = CANDIDATES,
        scorer: Scorer = fuzz.token_set_ratio,
    ) -> None:
        self.threshold = threshold
        self.candidates = candidates
        self.scorer = scorer  # bench/stories_quality.py compares others

    # -- writes, inside the store's transaction -------------------------------------------

    def add_document(self, conn: sqlite3.Connection, document: Document) -> dict[str, StoryState]:
        """Put each claim of `document` in a story; returns the stories that changed."""
        added: dict[str, list[TimelineEntry]] = {}
        created: set[str] = set()
        pool: dict[str, _Candidates] = {}  # per subject actor, read once per document
        claims, subjects = [], []
        first = conn.execute("SELECT coalesce(max(seq), 0) + 1 FROM story_claims").fetchone()[0]
        for seq, (entry, signature) in enumerate(
            zip(timeline_entries(document), signatures(document), strict=True), first
        ):
            story_id = self._match(conn, signature, pool)
            if story_id is None:
                story_id = new_story_id()
                created.add(story_id)
            for actor in signature.subjects:  # later claims of this document see this one
                self._candidates(conn, pool, actor).add(signature.key, story_id)
            claims.append((seq, entry.claim_id, story_id, document.id, _encode(entry)))
            subjects += [(actor, seq, story_id, signature.key) for actor in signature.subjects]
            added.setdefault(story_id, []).append(entry)
        conn.executemany(
            "INSERT INTO story_claims (seq, claim_id, story_id, document_id, entry) VALUES (?,?,?,?,?)",
            claims,
        )
        conn.executemany(
            "INSERT INTO story_subjects (actor_id, seq, story_id, key) VALUES (?,?,?,?)", subjects
        )
        joined = [story_id for story_id in added if story_id not in created]
        changed = self._states(conn, joined)
        for story_id in joined:
            for n, entry in enumerate(added[story_id]):
                changed[story_id].add(entry, new_document=n == 0)
        for story_id in created:
            changed[story_id] = fold(added[story_id])  # type: ignore[assignment]  # never empty
        conn.executemany(
            "INSERT OR REPLACE INTO stories (id, state) VALUES (?,?)",
            [(story_id, _encode(state)) for story_id, state in changed.items()],
        )
        return changed

    def remove_document(self, conn: sqlite3.Connection, document_id: str) -> dict[str, StoryState | None]:
        """Take the claims of `document_id` out of their stories; returns the stories that
        changed, None for those left without claims (deleted)."""
        rows = conn.execute(
            "SELECT seq, story_id, entry FROM story_claims WHERE document_id = ?", (document_id,)
        ).fetchall()
        if not rows:
            return {}
        conn.executemany(
            "DELETE FROM story_subjects WHERE actor_id = ? AND seq = ?",
            [(actor, seq) for seq, _, entry in rows for actor in _decode_entry(entry).subject_ids],
        )
        conn.execute("DELETE FROM story_claims WHERE document_id = ?", (document_id,))
        changed: dict[str, StoryState | None] = {}
        for story_id in dict.fromkeys(story_id for _, story_id, _ in rows):
            state = fold(self._entries(conn, story_id))
            if state is None:
                conn.execute("DELETE FROM stories WHERE id = ?", (story_id,))
                changed[story_id] = None
            else:
                conn.execute("UPDATE stories SET state = ? WHERE id = ?", (_encode(state), story_id))
                changed[story_id] = state
        return changed

    def _match(
        self, conn: sqlite3.Connection, signature: Signature, pool: dict[str, _Candidates]
    ) -> str | None:
        """The story of the best candidate scoring at least the threshold, if any."""
        candidates: dict[str, str] = {}  # key -> story, over every subject's recent claims
        for actor in signature.subjects:
            recent = self._candidates(conn, pool, actor).stories
            found = recent.get(signature.key)
            if found is not None:  # the same words about the same actor: no need to score
                return found
            candidates.update(recent)
        if not signature.key or not candidates:
            return None
        keys = list(candidates)
        best = process.extractOne(
            signature.key, keys, scorer=self.scorer, score_cutoff=self.threshold, processor=None
        )
        return candidates[keys[best[2]]] if best else None

    def _candidates(self, conn: sqlite3.Connection, pool: dict[str, _Candidates], actor: str) -> _Candidates:
        if actor not in pool:
            pool[actor] = candidates = _Candidates()
            for story_id, key in conn.execute(
                "SELECT story_id, key FROM story_subjects WHERE actor_id = ? ORDER BY seq DESC LIMIT ?",
                (actor, self.candidates),
            ):
                candidates.add(key, story_id)
        return pool[actor]

    # -- reads ----------------------------------------------------------------------------

    def get(
        self, conn: sqlite3.Connection, story_id: str, *, offset: int = 0, limit: int = 100
    ) -> Story | None:
        entries = list(self._entries(conn, story_id))
        state = fold(entries)
        if state is None:
            return None
        timeline = sorted(entries, key=lambda e: e.date)  # stable: same date keeps ingestion order
        summary = state.summary(story_id)
        return Story(
            **msgspec.structs.asdict(summary),
            current=state.current(),
            conflicts=conflicts(entries),
            timeline=timeline[offset : offset + limit],
            timeline_total=len(timeline),
        )

    def story_of(self, conn: sqlite3.Connection, claim_id: str) -> str | None:
        row = conn.execute("SELECT story_id FROM story_claims WHERE claim_id = ?", (claim_id,)).fetchone()
        return row[0] if row else None

    def states(self, conn: sqlite3.Connection, batch: int = 500) -> Iterator[tuple[str, StoryState]]:
        """Every story, in creation order, read in batches (for reindexing)."""
        after = 0
        while True:
            rows = conn.execute(
                "SELECT rowid, id, state FROM stories WHERE rowid > ? ORDER BY rowid LIMIT ?", (after, batch)
            ).fetchall()
            if not rows:
                return
            for _, story_id, state in rows:
                yield story_id, _decode_state(state)
            after = rows[-1][0]

    def _states(self, conn: sqlite3.Connection, story_ids: list[str]) -> dict[str, StoryState]:
        found: dict[str, StoryState] = {}
        for n in range(0, len(story_ids), 500):
            chunk = story_ids[n : n + 500]
            rows = conn.execute(
                f"SELECT id, state FROM stories WHERE id IN ({','.join('?' * len(chunk))})", chunk
            )
            found.update((story_id, _decode_state(state)) for story_id, state in rows)
        return found

    def state(self, conn: sqlite3.Connection, story_id: str) -> StoryState | None:
        row = conn.execute("SELECT state FROM stories WHERE id = ?", (story_id,)).fetchone()
        return _decode_state(row[0]) if row else None

    def _entries(self, conn: sqlite3.Connection, story_id: str) -> Iterator[TimelineEntry]:
        for (entry,) in conn.execute(
            "SELECT entry FROM story_claims WHERE story_id = ? ORDER BY seq", (story_id,)
        ):
            yield _decode_entry(entry)
