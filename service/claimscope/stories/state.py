"""A story's running summary: kept up to date claim by claim, so adding a claim costs the
same in a story of two claims as in one of ten thousand.

The summary is what the index needs (status, actors, claimants, sources, months, the first
claims' words) and what the current-status rule reads. Adding is incremental; removing a
claim refolds the story from its remaining claims (see :func:`fold`).
"""

from __future__ import annotations

from collections.abc import Iterable

from msgspec import Struct, field

from claimscope.models import ClaimStatus
from claimscope.stories.models import CurrentStatus, StorySummary, TimelineEntry

BODY_CHARS = 2000  # a story is found by the words of its first claims, up to this many characters
MAX_DECISIONS = 20  # decisions kept for the latest date (a contradiction needs two)


class Mark(Struct, array_like=True):
    """A claim as the status rule remembers it."""

    claim_id: str
    status: ClaimStatus
    date: str
    who: str


class StoryState(Struct):
    title: str
    first_date: str
    last_date: str
    claim_count: int = 0
    document_count: int = 0
    body: list[str] = field(default_factory=list)
    actors: list[str] = field(default_factory=list)
    claimants: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    months: list[str] = field(default_factory=list)
    decisions: list[Mark] = field(default_factory=list)  # confirmations/denials of the latest date
    contested: Mark | None = None  # the latest dispute
    report: Mark | None = None  # the latest reported/unconfirmed claim

    @classmethod
    def start(cls, entry: TimelineEntry) -> StoryState:
        return cls(title=entry.text, first_date=entry.date, last_date=entry.date)

    def add(self, entry: TimelineEntry, *, new_document: bool) -> None:
        """Count `entry` in (claims arrive in ingestion order; dates may come in any order)."""
        self.claim_count += 1
        self.document_count += new_document
        self.first_date = min(self.first_date, entry.date)
        self.last_date = max(self.last_date, entry.date)
        if sum(map(len, self.body)) < BODY_CHARS:
            self.body.append(entry.text)
        _merge(self.actors, [*entry.subject_ids, *([entry.claimant_id] if entry.claimant_id else [])])
        claimant = entry.claimant_id or entry.claimant_name
        _merge(self.claimants, [claimant] if claimant else [])
        _merge(self.sources, [entry.source] if entry.source else [])
        _merge(self.months, [entry.date[:7]] if len(entry.date) >= 7 else [])
        mark = Mark(entry.claim_id, entry.status, entry.date, _who(entry))
        if entry.status in ("confirmed", "denied"):
            latest = self.decisions[0].date if self.decisions else ""
            if mark.date > latest:
                self.decisions = [mark]
            elif mark.date == latest and len(self.decisions) < MAX_DECISIONS:
                self.decisions.append(mark)
        elif entry.status == "disputed":
            if self.contested is None or mark.date >= self.contested.date:
                self.contested = mark
        elif (
            self.report is None
            or mark.date > self.report.date
            or (mark.date == self.report.date and mark.status == "unconfirmed")
        ):
            self.report = mark

    def current(self) -> CurrentStatus:
        """The status now, and the rule that set it (see CurrentStatus)."""
        if self.decisions:
            day = self.decisions[0].date[:10]
            verdicts = {m.status for m in self.decisions}
            ids = [m.claim_id for m in self.decisions]
            if len(verdicts) > 1:
                said = "; ".join(f"{m.who} {m.status}" for m in self.decisions)
                return CurrentStatus("disputed", "contradiction", f"on {day}: {said}", ids, day)
            latest = self.decisions[-1]
            return CurrentStatus(
                latest.status, "latest-decision", f"{latest.status} by {latest.who} on {day}", ids, day
            )
        if self.contested is not None:
            c = self.contested
            return CurrentStatus(
                "disputed", "contested", f"no confirmation or denial; disputed by {c.who} on {c.date[:10]}",
                [c.claim_id], c.date[:10],
            )  # fmt: skip
        m = self.report  # a story has at least one claim: if none decided or disputed, one reported
        assert m is not None
        return CurrentStatus(
            m.status, "latest-report",
            f"no confirmation, denial or dispute; latest claim, by {m.who} on {m.date[:10]}, is {m.status}",
            [m.claim_id], m.date[:10],
        )  # fmt: skip

    def summary(self, story_id: str) -> StorySummary:
        return StorySummary(
            id=story_id,
            title=self.title,
            status=self.current().status,
            claim_count=self.claim_count,
            document_count=self.document_count,
            first_date=self.first_date,
            last_date=self.last_date,
            actors=self.actors,
            claimants=self.claimants,
            sources=self.sources,
        )


def fold(entries: Iterable[TimelineEntry]) -> StoryState | None:
    """The state of a story with these claims, given in ingestion order (None if there are none)."""
    state: StoryState | None = None
    documents: set[str] = set()
    for entry in entries:
        state = state or StoryState.start(entry)
        state.add(entry, new_document=entry.document_id not in documents)
        documents.add(entry.document_id)
    return state


def _who(entry: TimelineEntry) -> str:
    return entry.claimant_name or entry.claimant_id or entry.source or f"document {entry.document_id}"


def _merge(values: list[str], new: list[str]) -> None:
    for value in new:
        if value not in values:
            values.append(value)
