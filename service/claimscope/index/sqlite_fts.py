"""The embedded search index: SQLite FTS5 in the store's own database file.

Index rows change inside the store's write transaction, so the index never lags the store.
Text is tokenised with ``unicode61 remove_diacritics 2`` (``Zelenskyy`` finds ``Zelenskyy’s``,
``Erdogan`` finds ``Erdoğan``), the last word of a query matches as a prefix, hits are ranked
with bm25, and facet counts are computed in SQL over the filtered rows.

Layout: one FTS5 table per collection (a query never reads another collection's postings),
whose rowids are those of ``idx_items`` (dates, statuses, sources, payloads). Each FTS row
also indexes the item's actors as opaque tokens in an ``actors`` column, so an actor filter
is one more term FTS5 intersects with the words, before any item row is read;
``idx_item_actors`` holds the same pairs for the actor facet. A story's item has one rowid
(``idx_stories``) and keeps its several claimants, sources and months in ``idx_item_values``.
"""

from __future__ import annotations

import hashlib
import sqlite3
import time
from collections.abc import Callable
from typing import Any

import msgspec

from claimscope.index.base import FACET_VALUES, SNIPPET_WORDS, query_words
from claimscope.index.items import MULTI_VALUED, IndexItem, items_of
from claimscope.index.snippets import MARK_END, MARK_START, to_html
from claimscope.models import Document, SearchHit, SearchQuery, SearchResult

COLLECTIONS = ("documents", "claims", "quotes", "stories")
FTS = {c: f"idx_fts_{c}" for c in COLLECTIONS}
TEXT_COLUMNS = {"documents": "{body title}", "claims": "body", "quotes": "body", "stories": "body"}
_TOKENIZER = "tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3'"
SCHEMA = f"""
CREATE TABLE IF NOT EXISTS idx_items (
    rowid INTEGER PRIMARY KEY,
    item_id TEXT NOT NULL,
    collection TEXT NOT NULL,
    document_id TEXT NOT NULL,
    date TEXT,
    month TEXT,
    source TEXT,
    status TEXT,
    claimant TEXT,
    speaker TEXT,
    payload BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS idx_documents (
    document_id TEXT PRIMARY KEY,
    first INTEGER NOT NULL,
    last INTEGER NOT NULL
) WITHOUT ROWID;
-- by month, not by date: new rows land at the end of a few dozen (collection, month) runs
-- instead of at random places in one big index, which made inserts twice as slow
CREATE INDEX IF NOT EXISTS idx_items_month ON idx_items(collection, month);
CREATE TABLE IF NOT EXISTS idx_item_actors (
    item INTEGER NOT NULL,
    actor_id TEXT NOT NULL,
    PRIMARY KEY (item, actor_id)
) WITHOUT ROWID;
CREATE VIRTUAL TABLE IF NOT EXISTS idx_fts_documents USING fts5(body, title, actors, {_TOKENIZER});
CREATE VIRTUAL TABLE IF NOT EXISTS idx_fts_claims USING fts5(body, actors, {_TOKENIZER});
CREATE VIRTUAL TABLE IF NOT EXISTS idx_fts_quotes USING fts5(body, actors, {_TOKENIZER});
CREATE VIRTUAL TABLE IF NOT EXISTS idx_fts_stories USING fts5(body, actors, {_TOKENIZER});
CREATE TABLE IF NOT EXISTS idx_stories (
    story_id TEXT PRIMARY KEY,
    item INTEGER NOT NULL,
    digest TEXT NOT NULL  -- of what the FTS row and the facet rows hold, see on_stories
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS idx_item_values (
    item INTEGER NOT NULL,
    facet TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (item, facet, value)
) WITHOUT ROWID;
"""
# item columns a filter or facet may name (names are checked against this before any SQL is built)
ITEM_COLUMNS = frozenset({"status", "claimant", "speaker", "source", "month"})
_encode = msgspec.json.Encoder().encode
_decode = msgspec.json.Decoder(dict).decode


def fts_query(text: str) -> str | None:
    """A safe FTS5 query from what a user typed: every word must match, the last as a prefix.

    Words are quoted, so FTS5 syntax in the input (AND, NOT, quotes, *, column filters) is
    just text to look for.
    """
    words = query_words(text)
    if not words:
        return None
    quoted = [f'"{w}"' for w in words]
    quoted[-1] += "*"
    return " ".join(quoted)


def actor_token(actor_id: str) -> str:
    """An actor id as one FTS5 token: hex survives any tokenizer whole and never collides."""
    return "a" + actor_id.encode().hex()


class SQLiteFTSIndex:
    name = "sqlite"

    def __init__(self) -> None:
        self._connect: Callable[[], sqlite3.Connection] | None = None

    def setup(self, conn: sqlite3.Connection, connect: Callable[[], sqlite3.Connection]) -> None:
        for statement in SCHEMA.split(";"):  # not executescript(): it would commit the store's transaction
            if statement.strip():
                conn.execute(statement)
        self._connect = connect

    # -- writes, inside the store's transaction ------------------------------------------

    def on_upsert(self, conn: sqlite3.Connection, document: Document) -> None:
        self.on_delete(conn, document.id)
        self._write(conn, document.id, items_of(document))

    def _write(self, conn: sqlite3.Connection, document_id: str, items: list[IndexItem]) -> None:
        """Add the items of a document not in the index, with a few batched statements."""
        # A document's items get consecutive rowids, chosen here (the store's write lock makes
        # max(rowid) safe to build on): every table is written with one executemany, and
        # idx_documents finds them again with one row per document instead of an index entry
        # per item.
        first = conn.execute("SELECT coalesce(max(rowid), 0) + 1 FROM idx_items").fetchone()[0]
        conn.execute("INSERT INTO idx_documents VALUES (?,?,?)", (document_id, first, first + len(items) - 1))
        self._insert(conn, list(enumerate(items, first)))

    def _insert(self, conn: sqlite3.Connection, rows: list[tuple[int, IndexItem]]) -> None:
        """Write items at the given rowids, one executemany per table."""
        conn.executemany(
            "INSERT INTO idx_items (rowid, item_id, collection, document_id, date, month, source, status,"
            " claimant, speaker, payload) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            [
                (rowid, i.id, i.collection, i.document_id, i.date, i.month, i.source, i.status, i.claimant,
                 i.speaker, _encode(i.payload))
                for rowid, i in rows
            ],
        )  # fmt: skip
        conn.executemany(
            "INSERT INTO idx_fts_documents (rowid, body, title, actors) VALUES (?,?,?,?)",
            [(rowid, i.body, i.title or "", _tokens(i)) for rowid, i in rows if i.collection == "documents"],
        )
        for collection in ("claims", "quotes", "stories"):
            conn.executemany(
                f"INSERT INTO {FTS[collection]} (rowid, body, actors) VALUES (?,?,?)",
                [(rowid, i.body, _tokens(i)) for rowid, i in rows if i.collection == collection],
            )
        conn.executemany(
            "INSERT OR IGNORE INTO idx_item_actors (item, actor_id) VALUES (?,?)",
            [(rowid, actor) for rowid, i in rows for actor in i.actors],
        )
        conn.executemany(
            "INSERT OR IGNORE INTO idx_item_values (item, facet, value) VALUES (?,?,?)",
            [
                (rowid, facet, v)
                for rowid, i in rows
                for facet, values in i.facet_values.items()
                for v in values
            ],
        )

    def on_stories(self, conn: sqlite3.Connection, stories: dict[str, IndexItem | None]) -> None:
        """Replace each story's one item (keeping its rowid), or remove it.

        A story changes with every claim that joins it, but its words, actors and facet values
        mostly stay the same: then only its item row is updated, not its FTS and facet rows.
        """
        ids = list(stories)
        known: dict[str, tuple[int, str]] = {}
        for n in range(0, len(ids), 500):
            chunk = ids[n : n + 500]
            sql = f"SELECT story_id, item, digest FROM idx_stories WHERE story_id IN ({','.join('?' * len(chunk))})"
            known.update((story_id, (item, digest)) for story_id, item, digest in conn.execute(sql, chunk))
        updates = []
        for story_id, item in stories.items():
            row = known.get(story_id)
            if item is None:
                if row is not None:
                    self._drop(conn, row[0], row[0])
                    conn.execute("DELETE FROM idx_stories WHERE story_id = ?", (story_id,))
                continue
            digest = hashlib.sha1(_encode([item.body, item.actors, item.facet_values])).hexdigest()
            if row is not None and row[1] == digest:
                updates.append((item.date, item.month, item.status, _encode(item.payload), row[0]))
                continue
            if row is not None:
                self._drop(conn, row[0], row[0])
            rowid = (
                row[0]
                if row
                else conn.execute("SELECT coalesce(max(rowid), 0) + 1 FROM idx_items").fetchone()[0]
            )
            self._insert(conn, [(rowid, item)])
            conn.execute("INSERT OR REPLACE INTO idx_stories VALUES (?,?,?)", (story_id, rowid, digest))
        conn.executemany(
            "UPDATE idx_items SET date = ?, month = ?, status = ?, payload = ? WHERE rowid = ?", updates
        )

    def on_delete(self, conn: sqlite3.Connection, document_id: str) -> None:
        span = conn.execute(
            "SELECT first, last FROM idx_documents WHERE document_id = ?", (document_id,)
        ).fetchone()
        if span is None:
            return
        self._drop(conn, *span)
        conn.execute("DELETE FROM idx_documents WHERE document_id = ?", (document_id,))

    def _drop(self, conn: sqlite3.Connection, first: int, last: int) -> None:
        """Remove the items whose rowids are first..last."""
        for table in (*FTS.values(), "idx_items"):
            conn.execute(f"DELETE FROM {table} WHERE rowid BETWEEN ? AND ?", (first, last))
        for table in ("idx_item_actors", "idx_item_values"):
            conn.execute(f"DELETE FROM {table} WHERE item BETWEEN ? AND ?", (first, last))

    def clear(self, conn: sqlite3.Connection) -> None:
        for table in (*FTS.values(), "idx_item_actors", "idx_item_values", "idx_items", "idx_documents",
                      "idx_stories"):  # fmt: skip
            conn.execute(f"DELETE FROM {table}")

    # -- reads ----------------------------------------------------------------------------

    def search(self, query: SearchQuery) -> SearchResult:
        started = time.perf_counter()
        conn = self._connection()
        plan = _Plan(query)
        total = conn.execute(f"SELECT count(*) FROM {plan.count_source} WHERE {plan.where}", plan.params)
        hits = self._hits(conn, plan, query) if query.limit else []
        facets = {name: _facet(conn, name, plan) for name in query.facets}
        took = round((time.perf_counter() - started) * 1000, 3)
        return SearchResult(hits=hits, total=total.fetchone()[0], facets=facets, took_ms=took)

    def count_by_actor(self, collection: str, actor_ids: list[str]) -> dict[str, int]:
        """How many items of `collection` name each actor (one postings count per actor)."""
        conn, table = self._connection(), FTS[collection]
        return {
            actor: conn.execute(
                f"SELECT count(*) FROM {table} WHERE {table} MATCH ?", (f"actors : {actor_token(actor)}",)
            ).fetchone()[0]
            for actor in dict.fromkeys(actor_ids)
        }

    def _hits(self, conn: sqlite3.Connection, plan: _Plan, query: SearchQuery) -> list[SearchHit]:
        fts = plan.fts
        sort = query.sort or ("relevance" if plan.text else "-date")
        order = {
            "relevance": f"{fts}.rank" if plan.text else "i.date DESC",
            "date": "i.date IS NULL, i.date, i.rowid",
            "-date": "i.date IS NULL, i.date DESC, i.rowid DESC",
        }[sort]
        snippet = (
            f"snippet({fts}, 0, '{MARK_START}', '{MARK_END}', '…', {SNIPPET_WORDS})" if plan.text else "NULL"
        )
        rows = conn.execute(
            f"SELECT i.item_id, i.document_id, i.payload, i.date, {snippet} FROM {plan.source}"
            f" WHERE {plan.where} ORDER BY {order} LIMIT ? OFFSET ?",
            [*plan.params, query.limit, query.offset],
        ).fetchall()
        return [
            SearchHit(id=r[0], document_id=r[1], item=_decode(r[2]), date=r[3], snippet=to_html(r[4]))
            for r in rows
        ]

    def status(self) -> dict[str, Any]:
        self._connection().execute("SELECT 1 FROM idx_items LIMIT 1").fetchall()
        return {"ok": True, "backend": self.name, "lag": self.lag()}

    def searchable(self, document_id: str) -> bool:
        return True  # written in the store's own transaction

    def generation(self) -> int | None:
        return None

    def lag(self) -> int:
        return 0  # written in the store's own transaction

    def close(self) -> None:
        """Nothing of its own to release: the store owns the connections."""

    def _connection(self) -> sqlite3.Connection:
        if self._connect is None:
            raise RuntimeError("the index is not set up: SQLiteStore calls setup() when it opens")
        return self._connect()


def _tokens(item: IndexItem) -> str:
    return " ".join(actor_token(a) for a in item.actors)


class _Plan:
    """The FROM and WHERE of one query, shared by its count, hits and facets.

    With words or actors to look for, rows come from the collection's FTS table (its MATCH
    is the most selective step) joined to their items by rowid; otherwise from the items
    of the collection. Values are always bound parameters.
    """

    def __init__(self, query: SearchQuery) -> None:
        self.collection = query.collection
        self.fts = FTS[query.collection]
        self.text = fts_query(query.q) if query.q else None
        terms = [f"{TEXT_COLUMNS[query.collection]} : ({self.text})"] if self.text else []
        if query.actor:
            terms.append(f"actors : ({' OR '.join(actor_token(a) for a in query.actor)})")
        conditions, params = _filters(query)
        if terms:
            self.source = f"{self.fts} CROSS JOIN idx_items i ON i.rowid = {self.fts}.rowid"
            self.count_source = self.source if conditions else self.fts  # nothing to read from items
            conditions, params = [f"{self.fts} MATCH ?", *conditions], [" AND ".join(terms), *params]
        else:
            self.source = self.count_source = "idx_items i"
            conditions, params = ["i.collection = ?", *conditions], [query.collection, *params]
        self.where = " AND ".join(conditions)
        self.params = params


def _filters(query: SearchQuery) -> tuple[list[str], list[Any]]:
    """Conditions on item columns (actors are matched in FTS, see _Plan)."""
    where: list[str] = []
    params: list[Any] = []
    multi = MULTI_VALUED.get(query.collection, frozenset())
    for name in ("status", "claimant", "speaker", "source", "month"):
        values = getattr(query, name)
        if not values:
            continue
        marks = ",".join("?" * len(values))
        if name in multi:
            where.append(
                "EXISTS (SELECT 1 FROM idx_item_values v WHERE v.item = i.rowid AND v.facet = ?"
                f" AND v.value IN ({marks}))"
            )
            params += [name, *values]
        else:
            where.append(f"i.{name} IN ({marks})")
            params += values
    # the month bounds let the (collection, month) index narrow the rows; the dates decide.
    # A date known only to the month is in a range that overlaps its month.
    if query.date_from:
        where += ["i.month >= ?", "i.date >= substr(?, 1, length(i.date))"]
        params += [query.date_from[:7], query.date_from]
    if query.date_to:
        where += ["i.month <= ?", "i.date <= ?"]
        params += [query.date_to[:7], query.date_to + "\uffff"]  # a day includes every time on it
    return where, params


def _facet(conn: sqlite3.Connection, name: str, plan: _Plan) -> dict[str, int]:
    if name in MULTI_VALUED.get(plan.collection, frozenset()):
        sql = (
            f"SELECT v.value, count(*) FROM {plan.source} JOIN idx_item_values v ON v.item = i.rowid"
            f" AND v.facet = ? WHERE {plan.where} GROUP BY v.value ORDER BY count(*) DESC, v.value"
            f" LIMIT {FACET_VALUES}"
        )
        return {value: count for value, count in conn.execute(sql, [name, *plan.params])}
    if name == "actor":
        sql = (
            f"SELECT a.actor_id, count(*) FROM {plan.source} JOIN idx_item_actors a ON a.item = i.rowid"
            f" WHERE {plan.where} GROUP BY a.actor_id ORDER BY count(*) DESC, a.actor_id LIMIT {FACET_VALUES}"
        )
    else:
        if name not in ITEM_COLUMNS:
            raise ValueError(f"not an item column: {name!r}")
        column = f"i.{name}"
        sql = (
            f"SELECT {column}, count(*) FROM {plan.source} WHERE {plan.where} AND {column} IS NOT NULL"
            f" GROUP BY {column} ORDER BY count(*) DESC, {column} LIMIT {FACET_VALUES}"
        )
    return {value: count for value, count in conn.execute(sql, plan.params)}
