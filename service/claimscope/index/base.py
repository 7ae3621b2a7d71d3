"""The SearchIndex port: what the store, the API and the CLI need from a search backend.

The store owns the SQLite file and calls ``on_upsert``/``on_delete``/``on_stories`` inside its
write transaction, so an index that keeps its data in that file (the embedded FTS5 index) changes
atomically with the store. An index kept elsewhere (Meilisearch, tantivy) subclasses
:class:`claimscope.index.outbox.OutboxIndex`: its writes are outbox rows, pushed later.

Items belong to an owner: a document owns its own item and those of its claims and quotes
(``on_upsert`` replaces them all, ``on_delete`` removes them); a story owns its one item,
which ``on_stories`` replaces or removes. Stories span documents, so they are not a
document's items.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from typing import Any, Protocol

from claimscope.index.items import IndexItem
from claimscope.models import Document, SearchQuery, SearchResult

# What every backend answers alike (tests/contract holds each backend to it):
FACET_VALUES = 100  # values per facet: the most frequent, ties in value order
SNIPPET_WORDS = 16  # words of text around the matches in a hit's snippet
QUERY_WORDS = 10  # words of `q` that count (Meilisearch reads no more)
_WORD = re.compile(r"\w+")


def query_words(q: str | None) -> list[str]:
    """The words of a query as every backend reads them: runs of letters and digits, the
    first QUERY_WORDS of them. Every word must match, the last one also as a prefix; quotes,
    dashes and other punctuation are not syntax. No words at all means no text condition."""
    return _WORD.findall(q or "")[:QUERY_WORDS]


class SearchIndex(Protocol):
    name: str

    def setup(self, conn: sqlite3.Connection, connect: Callable[[], sqlite3.Connection]) -> None:
        """Create what the index keeps in the store's database (inside a transaction; idempotent).
        `connect` gives the calling thread's connection to that database, for reads."""

    def on_upsert(self, conn: sqlite3.Connection, document: Document) -> None:
        """Called inside the store's write transaction when a document is stored or replaced."""

    def on_delete(self, conn: sqlite3.Connection, document_id: str) -> None:
        """Called inside the store's write transaction when a document is deleted."""

    def on_stories(self, conn: sqlite3.Connection, stories: dict[str, IndexItem | None]) -> None:
        """Called inside the store's write transaction with the stories a write changed: each
        story id maps to the story's item (see ``items.story_item``), which replaces the one
        indexed, or to None when the story is gone."""

    def clear(self, conn: sqlite3.Connection) -> None:
        """Forget everything (inside a transaction), before a rebuild."""

    def search(self, query: SearchQuery) -> SearchResult: ...

    def count_by_actor(self, collection: str, actor_ids: list[str]) -> dict[str, int]:
        """How many items of `collection` name each of `actor_ids` (as subject, claimant or speaker)."""

    def status(self) -> dict[str, Any]:
        """Reachability and lag, for ``/ready``: {"ok": bool, "lag": int, ...}."""

    def lag(self) -> int:
        """Stored writes not yet in the index; local and cheap (``/metrics`` reads it on every scrape)."""

    def searchable(self, document_id: str) -> bool:
        """Whether searches see the last stored write of this document (local and cheap)."""

    def generation(self) -> int | None:
        """A number that changes whenever searches may answer differently, so an answer can be
        reused until it does; None when the index cannot tell (then nothing is reused). Cheap
        and touching no database: it is asked on the event loop."""

    def close(self) -> None: ...
