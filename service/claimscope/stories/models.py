"""What the API says about stories: the claims of many documents that state one thing."""

from __future__ import annotations

from typing import Literal

from msgspec import Struct, field

from claimscope.models import ClaimStatus, Qualifier

DateBasis = Literal["claim", "published_at", "ingested_at"]
Rule = Literal["latest-decision", "contradiction", "contested", "latest-report"]


class StoryFigure(Struct):
    """A figure a claim of the story states."""

    text: str
    value: float
    unit: str | None = None
    qualifier: Qualifier | None = None
    value_max: float | None = None


class TimelineEntry(Struct):
    """One claim of a story, placed at `date`: the date the claim states, else its document's
    `published_at`, else the time the document was ingested (`date_basis` says which)."""

    claim_id: str
    document_id: str
    text: str
    status: ClaimStatus
    date: str
    date_basis: DateBasis
    cue: str | None = None
    claimant_id: str | None = None
    claimant_name: str | None = None
    subject_ids: list[str] = field(default_factory=list)
    figures: list[StoryFigure] = field(default_factory=list)
    source: str | None = None
    url: str | None = None
    title: str | None = None
    published_at: str | None = None


class CurrentStatus(Struct):
    """The story's status now and the rule that set it.

    Rules, in order: `latest-decision` — the latest confirmation or denial wins;
    `contradiction` — at the latest date with a decision, one claim confirms and another
    denies: disputed; `contested` — no decision, but a claim disputes it; `latest-report` —
    no decision and no dispute: the status of the latest claim (reported or unconfirmed).
    """

    status: ClaimStatus
    rule: Rule
    reason: str
    claim_ids: list[str]
    date: str | None = None


class ConflictingFigure(Struct):
    value: float
    text: str
    claim_id: str
    document_id: str
    qualifier: Qualifier | None = None
    value_max: float | None = None
    source: str | None = None


class FigureConflict(Struct):
    """Figures of one unit in the story's claims that disagree by more than `tolerance`
    (relative to the larger value); every figure of that unit is listed, smallest first."""

    unit: str
    tolerance: float
    figures: list[ConflictingFigure]


class StorySummary(Struct):
    """A story as listed and searched: its first claim, its status and its extent."""

    id: str
    title: str
    status: ClaimStatus
    claim_count: int
    document_count: int
    first_date: str
    last_date: str
    actors: list[str] = field(default_factory=list)
    claimants: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)


class Story(StorySummary):
    """A story with its timeline (claims in date order), current status and figure conflicts.

    `timeline` is one page (`offset`, `limit` of the request) of `timeline_total` entries;
    the status and conflicts always cover every claim.
    """

    current: CurrentStatus | None = None
    conflicts: list[FigureConflict] = field(default_factory=list)
    timeline: list[TimelineEntry] = field(default_factory=list)
    timeline_total: int = 0
