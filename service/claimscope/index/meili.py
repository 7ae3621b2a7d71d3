"""The Meilisearch adapter, on the official `meilisearch` Python client.

Why the synchronous official client rather than the async community SDK: it is the one
Meilisearch maintains, and every call it makes here runs on the outbox worker's thread or in
Litestar's thread pool (searches), so async buys nothing.

Writes never call Meilisearch in the request: the store appends an outbox row in its
transaction (:class:`~claimscope.index.outbox.OutboxIndex`) and the outbox worker
(:mod:`claimscope.index.sync`) hands batches to :meth:`MeiliIndex.push`.

Reads answer like the embedded index: the settings and search parameters below (all that the
adapter sends, in one place) make every query word required, the last as a prefix, with no
typo tolerance and no query syntax; facets keep the most frequent values; `sort=date` orders by
date before relevance. Filters are built from fixed attribute names and escaped values.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import meilisearch
import meilisearch.errors
import msgspec

from claimscope.errors import IndexUnavailable
from claimscope.index.base import FACET_VALUES, SNIPPET_WORDS, query_words
from claimscope.index.items import IndexItem
from claimscope.index.outbox import Batch, OutboxIndex, TargetLost
from claimscope.index.snippets import MARK_END, MARK_START, to_html
from claimscope.models import SearchHit, SearchQuery, SearchResult
from claimscope.settings import Settings

MEILISEARCH_VERSION = "v1.11.3"  # what deploy/ runs and tests/fake_meili/ imitates
COLLECTIONS = ("documents", "claims", "quotes", "stories")
FACET_FIELDS = {"actor": "actors", "status": "status", "claimant": "claimant", "speaker": "speaker",
                "source": "source", "month": "month"}  # fmt: skip
INDEX_SETTINGS: dict[str, Any] = {
    "searchableAttributes": ["body", "title"],
    "filterableAttributes": ["document_key", *FACET_FIELDS.values(), "date_first", "date_last"],
    "sortableAttributes": ["sort_key"],
    # "sort" first: with `sort=date` the date decides, as in the embedded index (by default
    # Meilisearch sorts only among hits that words, typo, proximity and attribute find equal)
    "rankingRules": ["sort", "words", "typo", "proximity", "attribute", "exactness"],
    "typoTolerance": {"enabled": False},  # the embedded index never matches misspelt words
    # the most frequent values, as the embedded index counts them (the default is A→Z)
    "faceting": {"maxValuesPerFacet": FACET_VALUES, "sortFacetValuesBy": {"*": "count"}},
    "pagination": {"maxTotalHits": 100_000},
}
SEARCH_PARAMS: dict[str, Any] = {
    "matchingStrategy": "all",  # every word must match (the default drops words from the end)
    "attributesToRetrieve": ["id", "document_id", "payload", "date"],  # never the whole body
    "attributesToCrop": ["body"],
    "cropLength": SNIPPET_WORDS,
    "cropMarker": "…",
    "attributesToHighlight": ["body"],
    "highlightPreTag": MARK_START,  # snippets.to_html turns the marks into <mark>, escaping the rest
    "highlightPostTag": MARK_END,
}
# Meilisearch highlights only the matched prefix of a word ("Zelensk" in "Zelenskyy",
# milli/src/search/new/matches/mod.rs); the embedded index marks the whole word.
_PREFIX_MARK = re.compile(MARK_END + r"(\w+)")
log = logging.getLogger("claimscope.index.meili")


def meili_string(value: str) -> str | None:
    """`value` as a Meilisearch filter string, or None when the syntax cannot say it.

    Meilisearch's filter parser unescapes only ``\\"`` and keeps every other backslash as
    written (filter-parser/src/value.rs, quoted_by): quotes are escaped, backslashes are not,
    and a value whose run of backslashes before a quote or at its end is odd cannot be written.
    """
    run = 0  # backslashes just before this character
    for char in value:
        if char == '"' and run % 2:
            return None
        run = run + 1 if char == "\\" else 0
    if run % 2:
        return None
    return '"' + value.replace('"', '\\"') + '"'


def one_of(attribute: str, values: list[str]) -> str:
    """`attribute` equals one of `values` (a value the syntax cannot say matches nothing)."""
    literals = [literal for literal in map(meili_string, values) if literal is not None]
    return f"{attribute} IN [{', '.join(literals)}]"


def build_filter(query: SearchQuery) -> list[str]:
    """The filter of a query: a list of conditions Meilisearch ANDs."""
    clauses = [
        one_of(attribute, getattr(query, name))
        for name, attribute in (
            ("actor", "actors"),
            ("status", "status"),
            ("claimant", "claimant"),
            ("speaker", "speaker"),
            ("source", "source"),
            ("month", "month"),
        )  # fmt: skip
        if getattr(query, name)
    ]
    # a date known to the month is in a range that overlaps its month, as in the embedded index
    if query.date_from:
        clauses.append(f"date_last >= {date_number(query.date_from, '0')}")
    if query.date_to:
        clauses.append(f"date_first <= {date_number(query.date_to, '9')}")
    return clauses


def date_number(iso: str, pad: str) -> int:
    """An ISO date or date-time as the number YYYYMMDDhhmmss (Meilisearch compares and sorts
    numbers, not strings); the digits a shorter date lacks are `pad`: 2024-11 with "0" is
    20241100000000 and with "9" 20241199999999, the bounds of its month."""
    digits = re.sub(r"\D", "", iso[:19])
    return int(digits.ljust(14, pad))


def meili_key(item_id: str) -> str:
    """Meilisearch ids allow only [A-Za-z0-9_-]; ours may hold ':' and '.'."""
    return hashlib.sha1(item_id.encode()).hexdigest()


def document_key(document_id: str) -> str:
    """What a document's items are found by when they are replaced or deleted. Meilisearch
    compares filter strings case-insensitively, our ids are case-sensitive: hex is neither."""
    return hashlib.sha1(document_id.encode()).hexdigest()


def as_meili_document(item: IndexItem) -> dict[str, Any]:
    """An item as Meilisearch stores it. A facet with several values is an array attribute;
    a story's item, which has no document, is replaced by its own id (stories have an index
    of their own, so a story id never meets a document id)."""
    dated = item.date is not None and len(item.date) >= 7  # year-only dates are in no range
    return {
        "key": meili_key(item.id),
        "document_key": document_key(item.document_id or item.id),
        "sort_key": date_number(item.date, "0") if item.date else None,
        "date_first": date_number(item.date, "0") if dated and item.date else None,
        "date_last": date_number(item.date, "9") if dated and item.date else None,
        **msgspec.to_builtins(item),
        **item.facet_values,
    }


def _differs(current: dict[str, Any], wanted: dict[str, Any]) -> bool:
    """Whether the settings Meilisearch reports differ from those we send (nested: by key)."""
    for key, value in wanted.items():
        have = current.get(key)
        if isinstance(value, dict):
            if not isinstance(have, dict) or _differs(have, value):
                return True
        elif isinstance(value, list) and key.endswith("Attributes") and key != "searchableAttributes":
            if sorted(have or []) != sorted(value):  # Meilisearch reports these sets sorted
                return True
        elif have != value:
            return True
    return False


@contextmanager
def _answering(what: str) -> Iterator[None]:
    """Meilisearch down, failing or without its index: 503 rather than 500."""
    try:
        yield
    except (
        meilisearch.errors.MeilisearchCommunicationError,
        meilisearch.errors.MeilisearchTimeoutError,
    ) as exc:
        raise IndexUnavailable(f"Meilisearch does not answer ({what}): {exc}") from None
    except meilisearch.errors.MeilisearchApiError as exc:
        if exc.code == "index_not_found":
            raise IndexUnavailable(
                f"the Meilisearch index is missing ({what}); it is recreated and refilled"
            ) from None
        if exc.status_code >= 500:
            raise IndexUnavailable(f"Meilisearch failed ({what}): {exc.message}") from None
        raise


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
        """Create the indexes if needed and send their settings when they differ. True
        when an index was created, or was configured by another version of claimscope (its
        items may lack fields this one filters on): the worker then refills them."""
        version = self.client.get_version().get("pkgVersion")
        if f"v{version}" != MEILISEARCH_VERSION:
            log.warning(
                "Meilisearch %s answers; claimscope is tested against %s", version, MEILISEARCH_VERSION
            )
        refill = False
        for collection in COLLECTIONS:
            uid = self.uid(collection)
            try:
                current = self.client.index(uid).get_settings()
            except meilisearch.errors.MeilisearchApiError as exc:
                if exc.code != "index_not_found":
                    raise
                self.wait(self.client.create_index(uid, {"primaryKey": "key"}).task_uid)
                current, refill = {}, True
            same_fields = all(
                sorted(current.get(k) or []) == sorted(INDEX_SETTINGS[k])
                for k in ("filterableAttributes", "sortableAttributes")
            )
            refill = refill or not same_fields
            if _differs(current, INDEX_SETTINGS):
                self.wait(self.client.index(uid).update_settings(INDEX_SETTINGS).task_uid)
        return refill

    def push(self, batch: Batch) -> None:
        """Per index, one deletion (everything, or the changed documents' items) and one
        addition; Meilisearch runs an index's tasks in order, so the additions land last."""
        deadline = time.monotonic() + self.task_timeout_ms / 1000
        tasks = []
        for collection in COLLECTIONS:
            index = self.client.index(self.uid(collection))
            # story changes replace the stories index's items, document changes the others'
            mine = [change for change in batch.changes if change.story == (collection == "stories")]
            keys = [document_key(change.document_id) for change in mine]
            if batch.clear:
                tasks.append(index.delete_all_documents().task_uid)
            elif keys:
                tasks.append(index.delete_documents(filter=one_of("document_key", keys)).task_uid)
            items = [
                as_meili_document(item)
                for change in mine
                for item in change.items or ()
                if item.collection == collection
            ]
            if items:
                tasks.append(index.add_documents(items, primary_key="key").task_uid)
        self.wait_all(tasks, deadline)

    def wait(self, task_uid: int) -> None:
        self.wait_all([task_uid], time.monotonic() + self.task_timeout_ms / 1000)

    def wait_all(self, task_uids: list[int], deadline: float) -> None:
        """Until every task is done: one request per poll for all of them, polls further apart
        the longer it takes. Raises if one failed (TargetLost if its index is gone)."""
        pending, pause = {str(uid) for uid in task_uids}, 0.005
        while pending:
            answer = self.client.get_tasks({"uids": sorted(pending), "limit": len(pending)})
            for task in answer.results:
                if task.status in ("enqueued", "processing"):
                    continue
                pending.discard(str(task.uid))
                if task.status != "succeeded":
                    if (task.error or {}).get("code") == "index_not_found":
                        raise TargetLost(f"Meilisearch index {task.index_uid} is gone")
                    raise MeiliTaskFailed(f"Meilisearch task {task.uid} {task.status}: {task.error}")
            if pending and time.monotonic() + pause > deadline:
                raise MeiliTaskFailed(f"Meilisearch tasks {sorted(pending)} not done in time")
            if pending:
                time.sleep(pause)
                pause = min(pause * 2, 0.5)

    def reachable(self) -> bool:
        """The server answers and holds its indexes (a wiped volume is not ready)."""
        if not self.client.is_healthy():
            return False
        for collection in COLLECTIONS:
            try:
                self.client.get_index(self.uid(collection))
            except meilisearch.errors.MeilisearchApiError as exc:
                if exc.code == "index_not_found":
                    raise IndexUnavailable(
                        f"the Meilisearch index {self.uid(collection)} is missing"
                    ) from None
                raise
        return True

    # -- reads --------------------------------------------------------------------------

    def search(self, query: SearchQuery) -> SearchResult:
        started = time.perf_counter()
        words = query_words(query.q)
        sort = query.sort or ("relevance" if words else "-date")
        if sort == "relevance" and not words:
            sort = "-date"  # relevance without words: newest first, as the embedded index
        params: dict[str, Any] = {
            **SEARCH_PARAMS,
            "filter": build_filter(query),
            "limit": query.limit,
            "offset": query.offset,
            "facets": [FACET_FIELDS[f] for f in query.facets],
        }
        if sort != "relevance":
            params["sort"] = ["sort_key:asc" if sort == "date" else "sort_key:desc"]
        with _answering("search"):
            answer = self.client.index(self.uid(query.collection)).search(" ".join(words), params)
        hits = [
            SearchHit(
                id=hit["id"],
                document_id=hit["document_id"],
                item=hit["payload"],
                date=hit.get("date"),
                snippet=_snippet(hit) if words else None,
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
                "filter": [one_of("actors", [actor])],
                "hitsPerPage": 0,
            }
            for actor in ids
        ]
        with _answering("actor counts"):
            results = self.client.multi_search(queries)["results"]
        return {actor: result.get("totalHits", 0) for actor, result in zip(ids, results, strict=True)}

    def close(self) -> None:
        """Nothing to release: the HTTP client holds no open resources between calls."""


def _snippet(hit: dict[str, Any]) -> str | None:
    body = (hit.get("_formatted") or {}).get("body")
    return to_html(_PREFIX_MARK.sub(r"\1" + MARK_END, body)) if body is not None else None


class MeiliTaskFailed(Exception):
    """Meilisearch answered, but the task it was given failed."""
