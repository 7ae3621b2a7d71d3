"""A story as schema.org ClaimReview JSON-LD, the markup fact-checkers publish.

`claimReviewed` is the story's first claim, `itemReviewed` the Claim with its authors (the
claimants) and one `appearance` per article URL (articles without a URL appear by title or
id), and `reviewRating.alternateName` the story's current status with the rule that set it
as `ratingExplanation`. claimscope rates nothing itself: the rating is what the sources say.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from claimscope.stories.models import Story, TimelineEntry

MAX_APPEARANCES = 100


def claim_review(story: Story, *, url: str | None, actor_type: Callable[[str], str | None]) -> dict[str, Any]:
    """JSON-LD for `story` (its `timeline` holding every claim); `url` is where it is served and
    `actor_type` gives a claimant's actor type (person, country, …) to tell people from bodies."""
    assert story.current is not None
    review: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "identifier": story.id,
        "claimReviewed": story.title,
        "datePublished": story.last_date[:10],
        "author": {"@type": "Organization", "name": "claimscope"},
        "reviewRating": {
            "@type": "Rating",
            "alternateName": story.current.status,
            "ratingExplanation": story.current.reason,
        },
        "itemReviewed": {
            "@type": "Claim",
            "datePublished": story.first_date[:10],
            "author": _authors(story.timeline, actor_type),
            "appearance": _appearances(story.timeline),
        },
    }
    if url:
        review["url"] = url
    first = review["itemReviewed"]["appearance"][:1]
    if first:
        review["itemReviewed"]["firstAppearance"] = first[0]
    return review


def _authors(entries: list[TimelineEntry], actor_type: Callable[[str], str | None]) -> list[dict[str, str]]:
    authors: dict[str, dict[str, str]] = {}
    for entry in entries:
        name = entry.claimant_name or entry.claimant_id
        if name and name not in authors:
            kind = actor_type(entry.claimant_id) if entry.claimant_id else None
            authors[name] = {"@type": "Person" if kind == "person" else "Organization", "name": name}
    return list(authors.values())


def _appearances(entries: list[TimelineEntry]) -> list[dict[str, Any]]:
    """One CreativeWork per article (by URL when it has one), in timeline order."""
    works: dict[str, dict[str, Any]] = {}
    for entry in entries:
        key = entry.url or entry.document_id
        if key in works or len(works) >= MAX_APPEARANCES:
            continue
        work: dict[str, Any] = {"@type": "CreativeWork", "identifier": entry.document_id}
        if entry.url:
            work["url"] = entry.url
        work["headline"] = entry.title or entry.document_id
        if entry.published_at:
            work["datePublished"] = entry.published_at
        if entry.source:
            work["publisher"] = {"@type": "Organization", "name": entry.source}
        works[key] = work
    return list(works.values())
