"""The data model: one set of msgspec Structs from HTTP to store to plugins.

All offsets (`start`, `end`) are Unicode code points into the document's `text`,
and for every span `text[start:end]` equals the span's own `text`.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, ClassVar, Literal

from msgspec import Meta, Struct, field

ActorType = Literal["person", "country", "organization", "group", "place"]
ClaimStatus = Literal["confirmed", "reported", "unconfirmed", "disputed", "denied"]
Qualifier = Literal["up to", "at least", "about", "exactly", "more than", "less than", "range", "each"]
Granularity = Literal["day", "month", "year", "week", "range", "weekday", "relative"]
KINDS: tuple[str, ...] = ("actors", "dates", "figures", "quotes", "claims")
CLAIM_STATUSES: tuple[str, ...] = ("confirmed", "reported", "unconfirmed", "disputed", "denied")

DOCUMENT_ID_PATTERN = r"^[A-Za-z0-9._:-]{1,200}$"
ISO_DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?)?$"
PublishedAt = Annotated[
    str,
    Meta(
        pattern=ISO_DATE_PATTERN, description="ISO 8601 date or date-time: 2024-10-23 or 2024-10-23T08:00:00Z"
    ),
]
DocumentId = Annotated[
    str, Meta(pattern=DOCUMENT_ID_PATTERN, description="Letters, digits and . _ : - (1-200)")
]


class Mention(Struct, frozen=True):
    """One place in the text where an actor is named."""

    text: str
    start: int
    end: int


class Actor(Struct):
    """A canonical actor and where this document mentions it.

    `id` is a stable slug, the same in every document ("north-korea").
    """

    id: str
    name: str
    type: ActorType
    aliases: list[str] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)


class Figure(Struct):
    """A number with what it counts: "up to 12,000 North Korean soldiers"."""

    text: str
    value: float
    start: int
    end: int
    unit: str | None = None
    qualifier: Qualifier | None = None
    value_max: float | None = None
    actor_id: str | None = None


class DateMention(Struct):
    """A date as written, and its ISO 8601 value when it can be known.

    `value` is YYYY-MM-DD, YYYY-MM or YYYY, or --MM-DD / --MM when the text
    states no year and the document has no `published_at`; null when it
    cannot be resolved (a weekday with no publication date). Ranges put the
    first day in `value` and the last in `value_end`.
    """

    text: str
    start: int
    end: int
    value: str | None = None
    value_end: str | None = None
    granularity: Granularity | None = None


class Quote(Struct):
    """Words inside quotation marks and who said them.

    `text` is the span inside the marks. A quote split by its attribution is
    returned as parts sharing one `group` number.
    `id` is assigned by the service ("{document_id}:q{n}").
    """

    text: str
    start: int
    end: int
    speaker_id: str | None = None
    speaker_name: str | None = None
    speaker_text: str | None = None
    cue: str | None = None
    group: int | None = None
    id: str = ""


class Claim(Struct):
    """A statement of fact someone asserts, with how far it is confirmed.

    `figure_refs` are indexes into the extraction's `figures`. `date` is the
    ISO date the claim states, if any. `id` is assigned by the service
    ("{document_id}:c{n}").
    """

    text: str
    start: int
    end: int
    status: ClaimStatus
    cue: str | None = None
    claimant_id: str | None = None
    claimant_name: str | None = None
    subject_ids: list[str] = field(default_factory=list)
    figure_refs: list[int] = field(default_factory=list)
    date: str | None = None
    id: str = ""


class ExtractorRun(Struct):
    """How one extractor did on one document."""

    name: str
    version: str
    ms: float
    ok: bool
    error: str | None = None


class Conflict(Struct):
    """Two extractors gave one item different values: the values found first are kept.

    The item is the one of `kind` at `start`..`end`; `extractor` proposed `proposed`
    for the fields where `kept` holds what the item keeps ("speaker_id" …).
    """

    kind: str
    start: int
    end: int
    extractor: str
    kept: dict[str, Any]
    proposed: dict[str, Any]


class Extraction(Struct):
    """Everything extracted from one document (or, from one extractor, a part of it)."""

    actors: list[Actor] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    dates: list[DateMention] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    runs: list[ExtractorRun] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)


class ActorEntry(Struct):
    """A gazetteer entry contributed through the `register_actor_aliases` hook.

    `aliases` are other names of the actor (spelling variants, abbreviations,
    a person's surname); `demonyms` are adjectives ("North Korean");
    `metonyms` are places or buildings standing for the actor ("Pyongyang",
    "the Kremlin"). `id` defaults to the slug of `name`.
    """

    name: str
    type: ActorType
    id: str | None = None
    aliases: list[str] = field(default_factory=list)
    demonyms: list[str] = field(default_factory=list)
    metonyms: list[str] = field(default_factory=list)


Title = Annotated[str, Meta(max_length=1000)]


class DocumentIn(Struct, forbid_unknown_fields=True):
    """A news article as a client sends it: its `text`, or the page's `html`, or only its
    `url` when the server fetches URLs. Extractors always see the article's `text`."""

    text: Annotated[
        str,
        Meta(
            description="The article body. Required unless `html` is given, or only `url` "
            "(when the server fetches URLs)."
        ),
    ] = ""
    id: DocumentId | None = None
    title: Title | None = None
    url: (
        Annotated[
            str,
            Meta(
                max_length=2000,
                description="Where the article is published. Sent alone, the server fetches it "
                "(http or https; only when CLAIMSCOPE_FETCH_URLS=true).",
            ),
        ]
        | None
    ) = None
    html: (
        Annotated[
            str,
            Meta(
                description="The article's web page. Its text, title, author, date and site name "
                "are extracted; fields sent beside it win over the page's."
            ),
        ]
        | None
    ) = None
    source: Annotated[str, Meta(max_length=200)] | None = None
    author: Annotated[str, Meta(max_length=200)] | None = None
    published_at: PublishedAt | None = None
    language: Annotated[str, Meta(max_length=35)] | None = None
    metadata: dict[str, Any] = field(default_factory=dict)


class Document(Struct):
    """A stored article with its extraction."""

    id: str
    text: str
    content_hash: str
    ingested_at: dt.datetime
    extraction: Extraction
    title: str | None = None
    url: str | None = None
    source: str | None = None
    published_at: PublishedAt | None = None
    language: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    author: str | None = None
    html_hash: Annotated[str | None, Meta(description="SHA-256 of the HTML the text was extracted from")] = (
        None
    )
    html: Annotated[
        str | None, Meta(description="The page's HTML, kept only when CLAIMSCOPE_KEEP_HTML=true")
    ] = None


class DocumentSummary(Struct):
    """A document in a listing: no text, no extraction."""

    id: str
    content_hash: str
    ingested_at: dt.datetime
    title: str | None = None
    url: str | None = None
    source: str | None = None
    published_at: PublishedAt | None = None


class DocumentPage(Struct):
    """One page of `GET /v1/documents`; pass `next_cursor` back as `cursor`."""

    items: list[DocumentSummary]
    next_cursor: str | None = None


class BatchIn(Struct, forbid_unknown_fields=True):
    """Many documents in one request."""

    documents: list[DocumentIn]


class BatchItem(Struct):
    """What happened to one document of a batch: its status code and the document or the problem."""

    status: int
    id: str | None = None
    document: Document | None = None
    error: dict[str, Any] | None = None


class BatchOut(Struct):
    items: list[BatchItem]


class ExtractorInfo(Struct):
    """An installed extractor, in the order the pipeline runs it."""

    name: str
    version: str
    plugin: str
    produces: list[str]
    requires: list[str]
    enabled: bool
    order: int | None = None
    circuit: Annotated[
        Literal["closed", "open", "half-open"] | None,
        Meta(
            description="closed: it runs. open: switched off after timing out on several documents in a "
            "row; documents are stored without it until a cool-down ends. half-open: one document is "
            "trying it again. Null when disabled."
        ),
    ] = None


def parse_published_at(value: str | None) -> dt.date | None:
    """The calendar date of a `published_at` value; ValueError when it is no real date."""
    if value is None:
        return None
    if len(value) == 10:
        return dt.date.fromisoformat(value)
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).date()


# -- Search --------------------------------------------------------------------------------

Collection = Literal["documents", "claims", "quotes", "stories"]
FACETS: dict[Collection, tuple[str, ...]] = {
    "documents": ("actor", "source", "month"),
    "claims": ("actor", "status", "claimant", "source", "month"),
    "quotes": ("actor", "speaker", "source", "month"),
    "stories": ("actor", "status", "claimant", "source", "month"),
}
SORTS: tuple[str, ...] = ("relevance", "date", "-date")


_FILTER_ORDER = ("q", "actor", "status", "claimant", "speaker", "source", "month", "date_from", "date_to")


class SearchFilters(Struct, kw_only=True, forbid_unknown_fields=True):
    """A search as a user asks it, the part every collection shares; each collection has its
    own subclass with its own filters, so a filter that does not apply cannot be given.

    Values inside a filter are OR, filters are AND. `actor` (and `claimant`, `speaker`) may be
    an actor id, a name or any alias: ``Claimscope.search`` resolves them. `facets` are names
    from FACETS; `sort` is relevance (the default with `q`), date or -date (newest first, the
    default without `q`). Dates are inclusive.
    """

    collection: ClassVar[Collection]
    q: str | None = None
    actor: list[str] = field(default_factory=list)
    source: list[str] = field(default_factory=list)
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    facets: list[str] = field(default_factory=list)
    sort: str | None = None
    limit: int = 20
    offset: int = 0

    @classmethod
    def filter_names(cls) -> tuple[str, ...]:
        """The filters of this collection (every field but facets, sort and paging)."""
        return tuple(f for f in _FILTER_ORDER if f in cls.__struct_fields__)


class DocumentFilters(SearchFilters):
    collection: ClassVar[Collection] = "documents"


class ClaimFilters(SearchFilters):
    collection: ClassVar[Collection] = "claims"
    status: list[str] = field(default_factory=list)
    claimant: list[str] = field(default_factory=list)


class QuoteFilters(SearchFilters):
    collection: ClassVar[Collection] = "quotes"
    speaker: list[str] = field(default_factory=list)


class StoryFilters(SearchFilters):
    """Stories match `status` by their current status and every other filter by any of their
    claims; `month` is YYYY-MM. Dates are a story's latest claim's."""

    collection: ClassVar[Collection] = "stories"
    status: list[str] = field(default_factory=list)
    claimant: list[str] = field(default_factory=list)
    month: list[str] = field(default_factory=list)


FILTERS: dict[str, type[SearchFilters]] = {
    f.collection: f for f in (DocumentFilters, ClaimFilters, QuoteFilters)
}


class SearchQuery(Struct, kw_only=True):
    """One query on one collection, as an index receives it. Values inside a filter are OR,
    filters are AND.

    `actor` holds canonical actor ids (``Claimscope.search`` resolves names and aliases).
    Dates are ISO (YYYY-MM-DD), inclusive. `sort` is relevance (default with `q`),
    date or -date (newest first, the default without `q`).
    """

    collection: Collection
    q: str | None = None
    actor: list[str] = field(default_factory=list)
    status: list[str] = field(default_factory=list)
    claimant: list[str] = field(default_factory=list)
    speaker: list[str] = field(default_factory=list)
    source: list[str] = field(default_factory=list)
    month: list[str] = field(default_factory=list)  # YYYY-MM
    date_from: str | None = None
    date_to: str | None = None
    facets: list[str] = field(default_factory=list)
    sort: str | None = None
    limit: int = 20
    offset: int = 0


class SearchHit(Struct):
    """One match: `item` is the document summary, claim or quote (plain text, as stored);
    `snippet` is safe HTML around the matched words."""

    id: str
    document_id: str
    item: dict[str, Any]
    snippet: Annotated[
        str | None,
        Meta(
            description="Safe HTML: the matching passage with every character of the text HTML-escaped"
            " and the matched words in <mark>…</mark>, the only markup it can contain. Null without `q`."
        ),
    ] = None
    date: str | None = None


class SearchResult(Struct):
    hits: list[SearchHit]
    total: int
    facets: dict[str, dict[str, int]]
    took_ms: float


class ActorSummary(Struct):
    """A canonical actor with how much the corpus says about it."""

    id: str
    name: str
    type: str
    aliases: list[str]
    document_count: int
    mention_count: int
    claim_count: int
    quote_count: int


class ActorPage(Struct):
    items: list[ActorSummary]
    total: int


class ClaimDetail(Struct):
    """A claim with the document it comes from and the story it belongs to (GET /v1/stories/{id})."""

    claim: Claim
    document: DocumentSummary
    story_id: str | None = None
