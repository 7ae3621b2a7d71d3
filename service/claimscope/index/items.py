"""What a search index holds: per document, one item for itself, one per claim and per quote;
per story, one item.

Every backend indexes these same items, so a query means the same thing on each.
"""

from __future__ import annotations

from typing import Any

import msgspec

from claimscope.index.snippets import strip_marks
from claimscope.models import Document, parse_published_at
from claimscope.stories.state import StoryState

# Facets whose values an item of the collection holds in `facet_values` rather than in a field.
MULTI_VALUED: dict[str, frozenset[str]] = {"stories": frozenset({"claimant", "source", "month"})}


class IndexItem(msgspec.Struct, kw_only=True):
    id: str
    collection: str
    document_id: str
    body: str  # searchable text, without the snippet sentinels (see index/snippets.py)
    title: str | None = None  # documents only: a claim or quote matches on its own words
    date: str | None = None  # ISO day, or a shorter ISO prefix when that is all that is known
    month: str | None = None  # YYYY-MM
    source: str | None = None
    status: str | None = None
    claimant: str | None = None
    speaker: str | None = None
    actors: list[str] = msgspec.field(default_factory=list)
    # Facets with several values for one item (a story's claimants, sources, months): a
    # facet named here is filtered and counted by these values, not by its scalar field.
    facet_values: dict[str, list[str]] = msgspec.field(default_factory=dict)
    payload: dict[str, Any] = msgspec.field(default_factory=dict)


def items_of(document: Document) -> list[IndexItem]:
    published = parse_published_at(document.published_at)
    published_iso = published.isoformat() if published else None
    extraction = document.extraction
    items = [
        IndexItem(
            id=document.id,
            collection="documents",
            document_id=document.id,
            body=strip_marks(document.text),
            title=strip_marks(document.title) if document.title else None,
            date=published_iso,
            month=_month(published_iso),
            source=document.source,
            actors=[a.id for a in extraction.actors],
            payload={
                "id": document.id,
                "title": document.title,
                "source": document.source,
                "url": document.url,
                "published_at": document.published_at,
                "actors": [a.id for a in extraction.actors],
            },
        )
    ]
    for claim in extraction.claims:
        date = _full_date(claim.date) or published_iso
        actors = list(
            dict.fromkeys([*claim.subject_ids, *([claim.claimant_id] if claim.claimant_id else [])])
        )
        items.append(
            IndexItem(
                id=claim.id,
                collection="claims",
                document_id=document.id,
                body=strip_marks(claim.text),
                date=date,
                month=_month(date),
                source=document.source,
                status=claim.status,
                claimant=claim.claimant_id or claim.claimant_name,
                actors=actors,
                payload={**msgspec.to_builtins(claim), "document_id": document.id},
            )
        )
    for quote in extraction.quotes:
        items.append(
            IndexItem(
                id=quote.id,
                collection="quotes",
                document_id=document.id,
                body=strip_marks(quote.text),
                date=published_iso,
                month=_month(published_iso),
                source=document.source,
                speaker=quote.speaker_id or quote.speaker_name,
                actors=[quote.speaker_id] if quote.speaker_id else [],
                payload={**msgspec.to_builtins(quote), "document_id": document.id},
            )
        )
    return items


def story_item(story_id: str, state: StoryState) -> IndexItem:
    """A story's one item: found by the words of its first claims, filtered by its current
    status and by every actor, claimant, source and month of its claims; dated by its latest."""
    return IndexItem(
        id=story_id,
        collection="stories",
        document_id="",
        body="\n".join(state.body),
        date=state.last_date[:10],
        month=state.last_date[:7],  # for date ranges; the month facet counts every month
        status=state.current().status,
        actors=state.actors,
        facet_values={"claimant": state.claimants, "source": state.sources, "month": state.months},
        payload=msgspec.to_builtins(state.summary(story_id)),
    )


def _full_date(value: str | None) -> str | None:
    """A claim's stated date counts for date filters only when it has a year."""
    return value if value and not value.startswith("--") else None


def _month(date: str | None) -> str | None:
    return date[:7] if date and len(date) >= 7 else None
