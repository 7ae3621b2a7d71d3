"""The Meilisearch adapter, on the official `meilisearch` Python client.

Why the synchronous official client rather than the async community SDK: it is the one
Meilisearch maintains, and every call it makes here runs on the outbox worker's thread or in
Litestar's thread pool (searches), so async buys nothing.

Writes never call Meilisearch in the request: the store appends an outbox row in its
transaction (:class:`~claimscope.index.outbox.OutboxIndex`) and the outbox worker
(:mod:`claimscope.index.sync`) hands batches to :meth:`MeiliIndex.push`. Filters are built
from fixed attribute names and escaped string values, never pasted from input.
"""

from __future__ import annotations

import hashlib
import time
from typing import Any

import meilisearch
import msgspec

from claimscope.index.items import IndexItem
from claimscope.index.outbox import Batch, OutboxIndex, TargetLost
from claimscope.models import SearchHit, SearchQuery, SearchResult
from claimscope.settings import Settings

COLLECTIONS = ("documents", "claims", "quotes")
FILTERABLE = ["document_key", "actors", "status", "claimant", "speaker", "source", "month", "day"]
INDEX_SETTINGS: dict[str, Any] = {
    "searchableAttributes": ["body", "title"],
    "filterableAttributes": FILTERABLE,
    "sortableAttributes": ["day"],
    "faceting": {"maxValuesPerFacet": 100},
    "pagination": {"maxTotalHits": 100_000},
}
FACET_FIELDS = {"actor": "actors", "status": "status", "claimant": "claimant", "speaker": "speaker",
                "source": "source", "month": "month"}  # fmt: skip


def quote(value: str) -> str:
    """A Meilisearch filter string literal: double quotes, with quotes and backslashes escaped."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def any_of(attribute: str, values: list[str]) -> list[str]:
    """`attribute` equals one of `values` (Meilisearch ORs the strings of an inner list)."""
    return [f"{attribute} = {quote(v)}" for v in values]


def build_filter(query: SearchQuery) -> list[str | list[str]]:
    """The filter of a query: a list ANDed by Meilisearch, each element an OR-list."""
    clauses: list[str | list[str]] = []
    for name, attribute in (("actor", "actors"), ("status", "status"), ("claimant", "claimant"),
                            ("speaker", "speaker"), ("source", "source")):  # fmt: skip
        values = getattr(query, name)
        if values:
            clauses.append(any_of(attribute, values))
    if query.date_from:
        clauses.append(f"day >= {day_number(query.date_from)}")
    if query.date_to:
        clauses.append(f"day <= {day_number(query.date_to)}")
    return clauses


def day_number(iso_date: str) -> int:
    """2024-10-23 -> 20241023: Meilisearch compares and sorts numbers, not date strings."""
    return int(iso_date[:10].replace("-", ""))


def meili_key(item_id: str) -> str:
    """Meilisearch ids allow only [A-Za-z0-9_-]; ours may hold ':' and '.'."""
    return hashlib.sha1(item_id.encode()).hexdigest()


def document_key(document_id: str) -> str:
    """What a document's items are found by when they are replaced or deleted. Meilisearch
    compares filter strings case-insensitively, our ids are case-sensitive: hex is neither."""
    return hashlib.sha1(document_id.encode()).hexdigest()


def as_meili_document(item: IndexItem) -> dict[str, Any]:
    day = day_number(item.date) if item.date and len(item.date) >= 10 else None
    return {
        "key": meili_key(item.id),
        "document_key": document_key(item.document_id),
        "day": day,
        **msgspec.to_builtins(item),
    }


class MeiliIndex(OutboxIndex):
    name = "meilisearch"

    def __init__(
        self, client: meilisearch.Client, prefix: str = "claimscope", *, task_timeout_ms: int = 60_000
    ):
        super().__init__()
        self.client = client
        self.prefix = prefix
        self.task_timeout_ms = task_timeout_ms

    @classmethod
    def from_settings(cls, settings: Settings) -> MeiliIndex:
        client = meilisearch.Client(settings.meili_url or "", settings.meili_key, timeout=10)
        return cls(client, settings.meili_index_prefix)

    def uid(self, collection: str) -> str:
        return f"{self.prefix}_{collection}"

    # -- the pusher (called by the outbox worker) -----------------------------------------

    def apply_settings(self) -> bool:
        """Create the three indexes if needed and send their settings (idempotent). True when
        one was created, or holds items written before `document_key` existed: refill them."""
        stale = False
        for collection in COLLECTIONS:
            uid = self.uid(collection)
            try:
                current = self.client.index(uid).get_settings()
            except meilisearch.errors.MeilisearchApiError as exc:
                if exc.code != "index_not_found":
                    raise
                self.wait(self.client.create_index(uid, {"primaryKey": "key"}).task_uid)
                current = {}
            stale = stale or "document_key" not in current.get("filterableAttributes", [])
            self.wait(self.client.index(uid).update_settings(INDEX_SETTINGS).task_uid)
        return stale

    def push(self, batch: Batch) -> None:
        """Per index, one deletion (everything, or the changed documents' items) and one
        addition; Meilisearch runs an index's tasks in order, so the additions land last."""
        deadline = time.monotonic() + self.task_timeout_ms / 1000
        keys = [quote(document_key(change.document_id)) for change in batch.changes]
        tasks = []
        for collection in COLLECTIONS:
            index = self.client.index(self.uid(collection))
            if batch.clear:
                tasks.append(index.delete_all_documents().task_uid)
            elif keys:
                tasks.append(index.delete_documents(filter=f"document_key IN [{', '.join(keys)}]").task_uid)
            items = [
                as_meili_document(item)
                for change in batch.changes
                for item in change.items or ()
                if item.collection == collection
            ]
            if items:
                tasks.append(index.add_documents(items, primary_key="key").task_uid)
        for task in tasks:
            self.wait(task, deadline)

    def wait(self, task_uid: int, deadline: float | None = None) -> None:
        left_ms = self.task_timeout_ms if deadline is None else (deadline - time.monotonic()) * 1000
        task = self.client.wait_for_task(task_uid, timeout_in_ms=max(1, int(left_ms)))
        if task.status != "succeeded":
            if (task.error or {}).get("code") == "index_not_found":
                raise TargetLost(f"Meilisearch index {task.index_uid} is gone")
            raise MeiliTaskFailed(f"Meilisearch task {task_uid} {task.status}: {task.error}")

    def reachable(self) -> bool:
        return bool(self.client.is_healthy())

    # -- reads --------------------------------------------------------------------------

    def search(self, query: SearchQuery) -> SearchResult:
        started = time.perf_counter()
        sort = query.sort or ("relevance" if query.q else "-date")
        params: dict[str, Any] = {
            "filter": build_filter(query),
            "limit": query.limit,
            "offset": query.offset,
            "facets": [FACET_FIELDS[f] for f in query.facets],
            "attributesToCrop": ["body"],
            "cropLength": 32,
            "attributesToHighlight": ["body"],
            "highlightPreTag": "<mark>",
            "highlightPostTag": "</mark>",
        }
        if sort != "relevance":
            params["sort"] = ["day:asc" if sort == "date" else "day:desc"]
        answer = self.client.index(self.uid(query.collection)).search(query.q or "", params)
        hits = [
            SearchHit(
                id=hit["id"],
                document_id=hit["document_id"],
                item=hit["payload"],
                date=hit.get("date"),
                snippet=(hit.get("_formatted") or {}).get("body") if query.q else None,
            )
            for hit in answer.get("hits", [])
        ]
        distribution = answer.get("facetDistribution") or {}
        facets = {name: dict(distribution.get(FACET_FIELDS[name], {})) for name in query.facets}
        total = answer.get("estimatedTotalHits", answer.get("totalHits", len(hits)))
        return SearchResult(
            hits=hits, total=total, facets=facets, took_ms=round((time.perf_counter() - started) * 1000, 3)
        )

    def count_by_actor(self, collection: str, actor_ids: list[str]) -> dict[str, int]:
        """One multi-search: a filter-only query per actor, counting hits (hitsPerPage 0)."""
        ids = list(dict.fromkeys(actor_ids))
        if not ids:
            return {}
        queries = [
            {
                "indexUid": self.uid(collection),
                "q": "",
                "filter": [any_of("actors", [actor])],
                "hitsPerPage": 0,
            }
            for actor in ids
        ]
        results = self.client.multi_search(queries)["results"]
        return {actor: result.get("totalHits", 0) for actor, result in zip(ids, results, strict=True)}

    def close(self) -> None:
        """Nothing to release: the HTTP client holds no open resources between calls."""


class MeiliTaskFailed(Exception):
    """Meilisearch answered, but the task it was given failed."""
