"""The Meilisearch adapter, on the official `meilisearch` Python client.

Why the synchronous official client rather than the async community SDK: it is the one
Meilisearch maintains, and every call it makes here runs on a background thread (the outbox
worker) or in Litestar's thread pool (searches), so async buys nothing.

Writes never call Meilisearch in the request: ``on_upsert``/``on_delete`` add an outbox row
in the store's transaction and :class:`claimscope.index.sync.OutboxWorker` pushes it, waits
for the Meilisearch task and retries with backoff while the server is down. Filters are built
from fixed attribute names and escaped string values, never pasted from input.
"""

from __future__ import annotations

import hashlib
import sqlite3
import time
from collections.abc import Callable
from typing import Any

import meilisearch
import msgspec

from claimscope.index.items import IndexItem, items_of
from claimscope.index.sync import OUTBOX_SCHEMA, OutboxWorker
from claimscope.models import Document, SearchHit, SearchQuery, SearchResult
from claimscope.settings import Settings

COLLECTIONS = ("documents", "claims", "quotes")
FILTERABLE = ["document_id", "actors", "status", "claimant", "speaker", "source", "month", "day"]
INDEX_SETTINGS: dict[str, Any] = {
    "searchableAttributes": ["body", "title"],
    "filterableAttributes": FILTERABLE,
    "sortableAttributes": ["day"],
    "faceting": {"maxValuesPerFacet": 100},
    "pagination": {"maxTotalHits": 100_000},
}
FACET_FIELDS = {"actor": "actors", "status": "status", "claimant": "claimant", "speaker": "speaker",
                "source": "source", "month": "month"}  # fmt: skip
_encode = msgspec.json.Encoder().encode


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


def as_meili_document(item: IndexItem) -> dict[str, Any]:
    day = day_number(item.date) if item.date and len(item.date) >= 10 else None
    return {"key": meili_key(item.id), "day": day, **msgspec.to_builtins(item)}


class MeiliIndex:
    name = "meilisearch"

    def __init__(
        self,
        client: meilisearch.Client,
        prefix: str = "claimscope",
        *,
        task_timeout_ms: int = 30_000,
        backoff: Callable[[int], float] | None = None,
        poll_seconds: float = 0.5,
    ) -> None:
        self.client = client
        self.prefix = prefix
        self.task_timeout_ms = task_timeout_ms
        self.worker: OutboxWorker | None = None
        self._backoff = backoff
        self._poll = poll_seconds
        self._connect: Callable[[], sqlite3.Connection] | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> MeiliIndex:
        client = meilisearch.Client(settings.meili_url or "", settings.meili_key, timeout=10)
        return cls(client, settings.meili_index_prefix)

    def uid(self, collection: str) -> str:
        return f"{self.prefix}_{collection}"

    # -- the store's side ---------------------------------------------------------------

    def setup(self, conn: sqlite3.Connection, connect: Callable[[], sqlite3.Connection]) -> None:
        for statement in OUTBOX_SCHEMA.split(";"):
            if statement.strip():
                conn.execute(statement)
        self._connect = connect
        if self.worker is None:
            self.worker = OutboxWorker(self, connect, backoff=self._backoff, poll_seconds=self._poll)
            self.worker.start()

    def on_upsert(self, conn: sqlite3.Connection, document: Document) -> None:
        items = [as_meili_document(item) for item in items_of(document)]
        conn.execute(
            "INSERT INTO index_outbox (op, document_id, payload) VALUES ('upsert', ?, ?)",
            (document.id, _encode(items)),
        )
        self._wake()

    def on_delete(self, conn: sqlite3.Connection, document_id: str) -> None:
        conn.execute(
            "INSERT INTO index_outbox (op, document_id, payload) VALUES ('delete', ?, NULL)", (document_id,)
        )
        self._wake()

    def clear(self, conn: sqlite3.Connection) -> None:
        conn.execute("DELETE FROM index_outbox")
        conn.execute("INSERT INTO index_outbox (op, document_id, payload) VALUES ('clear', '', NULL)")
        self._wake()

    def _wake(self) -> None:
        if self.worker is not None:
            self.worker.wake()

    # -- what the worker calls ----------------------------------------------------------

    def apply_settings(self) -> None:
        """Create the three indexes if needed and send their settings (idempotent)."""
        for collection in COLLECTIONS:
            uid = self.uid(collection)
            try:
                self.client.get_index(uid)
            except meilisearch.errors.MeilisearchApiError as exc:
                if getattr(exc, "code", None) != "index_not_found":
                    raise
                self.wait(self.client.create_index(uid, {"primaryKey": "key"}).task_uid)
            self.wait(self.client.index(uid).update_settings(INDEX_SETTINGS).task_uid)

    def push(self, op: str, document_id: str, items: list[dict[str, Any]]) -> None:
        """Make Meilisearch hold exactly `items` for `document_id` (or nothing, or nothing at all)."""
        for collection in COLLECTIONS:
            index = self.client.index(self.uid(collection))
            if op == "clear":
                self.wait(index.delete_all_documents().task_uid)
                continue
            self.wait(index.delete_documents(filter=any_of("document_id", [document_id])).task_uid)
            mine = [item for item in items if item["collection"] == collection]
            if op == "upsert" and mine:
                self.wait(index.add_documents(mine, primary_key="key").task_uid)

    def wait(self, task_uid: int) -> None:
        task = self.client.wait_for_task(task_uid, timeout_in_ms=self.task_timeout_ms)
        if task.status != "succeeded":
            raise MeiliTaskFailed(f"Meilisearch task {task_uid} {task.status}: {task.error}")

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

    def status(self) -> dict[str, Any]:
        lag = self.lag()
        try:
            reachable = self.client.is_healthy()
        except Exception:  # any failure to answer is "not reachable"
            reachable = False
        status: dict[str, Any] = {"ok": reachable, "backend": self.name, "lag": lag}
        if self.worker is not None and self.worker.last_error:
            status["last_error"] = self.worker.last_error
        return status

    def lag(self) -> int:
        if self._connect is None:
            return 0
        return self._connect().execute("SELECT count(*) FROM index_outbox").fetchone()[0]

    def close(self) -> None:
        if self.worker is not None:
            self.worker.stop(flush_seconds=5)
            self.worker = None


class MeiliTaskFailed(Exception):
    """Meilisearch answered, but the task it was given failed."""
