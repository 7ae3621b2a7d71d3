"""What a document puts in a search index: one item for itself, one per claim and per quote.

Both backends index these same items, so a query means the same thing on either.
"""

from __future__ import annotations

from typing import Any

import msgspec

from claimscope.index.snippets import strip_marks
from claimscope.models import Document, parse_published_at


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


def _full_date(value: str | None) -> str | None:
    """A claim's stated date counts for date filters only when it has a year."""
    return value if value and not value.startswith("--") else None


def _month(date: str | None) -> str | None:
    return date[:7] if date and len(date) >= 7 else None
