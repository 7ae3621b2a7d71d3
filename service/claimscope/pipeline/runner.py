"""Runs extractors in dependency order, isolates failures, times each, merges results."""

from __future__ import annotations

import concurrent.futures
import time
from collections.abc import Callable, Collection, Sequence

from claimscope.actors import Gazetteer
from claimscope.models import (
    KINDS,
    Actor,
    Claim,
    Conflict,
    DateMention,
    DocumentIn,
    Extraction,
    ExtractorRun,
    Figure,
    Mention,
    Quote,
)
from claimscope.pipeline.hookspecs import Found
from claimscope.pipeline.manager import Registered

Item = DateMention | Figure | Quote | Claim
ITEM_TYPES = {"actors": Actor, "dates": DateMention, "figures": Figure, "quotes": Quote, "claims": Claim}


class PipelineError(Exception):
    """The installed extractors cannot be ordered (a cycle, or a kind nobody produces)."""


class MalformedOutput(Exception):
    """An extractor returned something that breaks the contract."""


def select(
    extractors: Sequence[Registered], enabled: Sequence[str], disabled: Sequence[str]
) -> list[Registered]:
    """The extractors the settings allow: all, or only `enabled`, minus `disabled`."""
    known = {r.name for r in extractors}
    for name in [*enabled, *disabled]:
        if name not in known:
            raise PipelineError(
                f"extractor {name!r} is not installed; installed: {', '.join(sorted(known)) or 'none'}"
            )
    return [r for r in extractors if (not enabled or r.name in enabled) and r.name not in disabled]


def order(extractors: Sequence[Registered]) -> list[Registered]:
    """Extractors sorted so each runs after every producer of what it requires.

    Ties keep registration order, so the order is stable across runs.
    """
    producers: dict[str, list[str]] = {}
    for r in extractors:
        for kind in r.extractor.produces:
            producers.setdefault(kind, []).append(r.name)
    deps: dict[str, set[str]] = {}
    for r in extractors:
        needs: set[str] = set()
        for kind in r.extractor.requires:
            if kind not in producers:
                raise PipelineError(
                    f"extractor {r.name!r} requires {kind!r} but no enabled extractor produces it"
                )
            needs.update(p for p in producers[kind] if p != r.name)
        deps[r.name] = needs
    by_name = {r.name: r for r in extractors}
    done: list[Registered] = []
    placed: set[str] = set()
    while len(done) < len(extractors):
        ready = [r for r in extractors if r.name not in placed and deps[r.name] <= placed]
        if not ready:
            stuck = sorted(n for n in by_name if n not in placed)
            raise PipelineError(f"extractors depend on each other in a cycle: {', '.join(stuck)}")
        done.append(ready[0])
        placed.add(ready[0].name)
    return done


class Pipeline:
    """The ordered extractors of one service, run on each document."""

    def __init__(
        self,
        extractors: Sequence[Registered],
        gazetteer: Gazetteer,
        *,
        timeout_ms: int = 10_000,
        on_run: Callable[[ExtractorRun], None] | None = None,
    ) -> None:
        self.extractors = order(extractors)
        self.gazetteer = gazetteer
        self.timeout_s = timeout_ms / 1000
        self.on_run = on_run
        # Runaway extractors cannot be killed in a thread; they are abandoned and the
        # document goes on. A small pool keeps one stuck extractor from blocking others.
        self._pool = concurrent.futures.ThreadPoolExecutor(max_workers=4, thread_name_prefix="extractor")

    def run(self, document: DocumentIn) -> Extraction:
        """Every extractor on `document` (whose id is set); never raises for an extractor's fault."""
        found = Found(gazetteer=self.gazetteer)
        runs: list[ExtractorRun] = []
        for registered in self.extractors:
            extractor = registered.extractor
            started = time.perf_counter()
            error = None
            try:
                future = self._pool.submit(extractor.extract, document, found)
                result = future.result(timeout=self.timeout_s)
                check_output(result, extractor.produces, document.text, len(found.figures))
                _merge_into(found, result, extractor.produces, extractor.name)
            except concurrent.futures.TimeoutError:
                error = f"timed out after {self.timeout_s * 1000:.0f} ms"
            except MalformedOutput as exc:
                error = f"malformed output: {exc}"
            except Exception as exc:  # an extractor's bug must not fail the document
                error = f"{type(exc).__name__}: {exc}"
            run = ExtractorRun(
                name=extractor.name,
                version=extractor.version,
                ms=round((time.perf_counter() - started) * 1000, 3),
                ok=error is None,
                error=error,
            )
            runs.append(run)
            if self.on_run:
                self.on_run(run)
        _assign_ids(found, document.id or "")
        return Extraction(
            actors=found.actors,
            figures=found.figures,
            dates=found.dates,
            quotes=found.quotes,
            claims=found.claims,
            runs=runs,
            conflicts=found.conflicts,
        )

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


def check_output(result: object, produces: Collection[str], text: str, figures: int) -> None:
    """Raise MalformedOutput when an extractor's result breaks the contract: not an Extraction,
    a kind it does not produce, a span that does not spell its text, or a claim's figure ref
    outside the `figures` found before it (see hookspecs)."""
    if not isinstance(result, Extraction):
        raise MalformedOutput(f"extract() returned {type(result).__name__}, not Extraction")
    for kind in KINDS:
        items = getattr(result, kind)
        if not isinstance(items, list):
            raise MalformedOutput(f"`{kind}` is {type(items).__name__}, not a list")
        if items and kind not in produces:
            raise MalformedOutput(f"returned {kind} but does not declare it in `produces`")
        for item in items:
            if not isinstance(item, ITEM_TYPES[kind]):
                raise MalformedOutput(
                    f"{kind} holds a {type(item).__name__}, not {ITEM_TYPES[kind].__name__}"
                )
            for span in item.mentions if isinstance(item, Actor) else [item]:
                _check_span(span, text, kind)
    for claim in result.claims:
        bad = [i for i in claim.figure_refs if not (isinstance(i, int) and 0 <= i < figures)]
        if bad:
            raise MalformedOutput(
                f"claim {claim.start}..{claim.end} refers to figures {bad}; {figures} were found before it"
            )


def _check_span(span: Mention | Figure | DateMention | Quote | Claim, text: str, kind: str) -> None:
    start, end = span.start, span.end
    if not (isinstance(start, int) and isinstance(end, int) and 0 <= start <= end <= len(text)):
        raise MalformedOutput(f"{kind} span {start}..{end} lies outside the text (length {len(text)})")
    if text[start:end] != span.text:
        raise MalformedOutput(
            f"{kind} span {start}..{end} is {text[start:end]!r} in the text, not {span.text!r}"
        )


def _merge_into(found: Found, result: Extraction, produces: Collection[str], extractor: str) -> None:
    """Add one extractor's results by the merge rules of hookspecs: actors merge by id; an
    item of another kind at the span of one already found refines it (:func:`_refine`)."""
    if "actors" in produces:
        by_id = {a.id: a for a in found.actors}
        for actor in result.actors:
            known = by_id.get(actor.id)
            if known is None:
                by_id[actor.id] = actor
                found.actors.append(actor)
                continue
            known.aliases.extend(a for a in actor.aliases if a not in known.aliases)
            seen = {(m.start, m.end) for m in known.mentions}
            known.mentions.extend(m for m in actor.mentions if (m.start, m.end) not in seen)
            known.mentions.sort(key=lambda m: m.start)
    for kind in ("dates", "figures", "quotes", "claims"):
        if kind not in produces:
            continue
        have: list = getattr(found, kind)
        at = {(x.start, x.end): x for x in have}
        for item in getattr(result, kind):
            known = at.get((item.start, item.end))
            if known is None:
                at[(item.start, item.end)] = item
                have.append(item)
            elif known is not item:
                _refine(known, item, kind, extractor, found)
        # Stable text order; claims index into figures, and they run after every figure producer.
        have.sort(key=lambda x: x.start)


_IDENTITY = {"text", "start", "end", "id"}


def _refine(known: Item, item: Item, kind: str, extractor: str, found: Found) -> None:
    """Fields `known` leaves empty take `item`'s values; where both are set and differ,
    `known` keeps its own and the disagreement becomes a Conflict."""
    kept: dict[str, object] = {}
    proposed: dict[str, object] = {}
    for name in known.__struct_fields__:
        if name in _IDENTITY:
            continue
        mine, theirs = getattr(known, name), getattr(item, name)
        if _empty(theirs) or mine == theirs:
            continue
        if _empty(mine):
            setattr(known, name, theirs)
        else:
            kept[name], proposed[name] = mine, theirs
    if kept:
        found.conflicts.append(Conflict(kind, known.start, known.end, extractor, kept, proposed))


def _empty(value: object) -> bool:
    return value is None or value == "" or value == []


def _assign_ids(found: Found, document_id: str) -> None:
    for n, quote in enumerate(found.quotes):
        quote.id = f"{document_id}:q{n}"
    for n, claim in enumerate(found.claims):
        claim.id = f"{document_id}:c{n}"
