"""The embedded search index: SQLite FTS5 in the store's own database file.

Index rows change inside the store's write transaction, so the index never lags the store.
Text is tokenised with ``unicode61 remove_diacritics 2`` (``Zelenskyy`` finds ``Zelenskyy’s``,
``Erdogan`` finds ``Erdoğan``), the last word of a query matches as a prefix, hits are ranked
with bm25, and facet counts are computed in SQL over the filtered rows.
"""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Callable
from typing import Any

import msgspec

from claimscope.index.items import IndexItem, items_of
from claimscope.models import Document, SearchHit, SearchQuery, SearchResult

SCHEMA = """
CREATE TABLE IF NOT EXISTS idx_items (
    rowid INTEGER PRIMARY KEY,
    item_id TEXT NOT NULL UNIQUE,
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
CREATE INDEX IF NOT EXISTS idx_items_document ON idx_items(document_id);
CREATE INDEX IF NOT EXISTS idx_items_date ON idx_items(collection, date);
CREATE TABLE IF NOT EXISTS idx_item_actors (
    actor_id TEXT NOT NULL,
    item INTEGER NOT NULL,
    PRIMARY KEY (actor_id, item)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS idx_item_actors_item ON idx_item_actors(item);
CREATE VIRTUAL TABLE IF NOT EXISTS idx_fts USING fts5(
    body, title, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3'
);
"""
COLUMNS = {
    "status": "status",
    "claimant": "claimant",
    "speaker": "speaker",
    "source": "source",
    "month": "month",
}
FACET_LIMIT = 100
_encode = msgspec.json.Encoder().encode
_decode = msgspec.json.Decoder(dict).decode
_WORD = re.compile(r"\w+", re.UNICODE)


def fts_query(text: str) -> str | None:
    """A safe FTS5 query from what a user typed: every word must match, the last as a prefix.

    Words are quoted, so FTS5 syntax in the input (AND, NOT, quotes, *, column filters) is
    just text to look for.
    """
    words = _WORD.findall(text)
    if not words:
        return None
    quoted = [f'"{w}"' for w in words]
    quoted[-1] += "*"
    return " ".join(quoted)


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
        self.write_items(conn, items_of(document))

    def write_items(self, conn: sqlite3.Connection, items: list[IndexItem]) -> None:
        for item in items:
            cursor = conn.execute(
                "INSERT INTO idx_items (item_id, collection, document_id, date, month, source, status, claimant,"
                " speaker, payload) VALUES (?,?,?,?,?,?,?,?,?,?)",
                (
                    item.id,
                    item.collection,
                    item.document_id,
                    item.date,
                    item.month,
                    item.source,
                    item.status,
                    item.claimant,
                    item.speaker,
                    _encode(item.payload),
                ),
            )
            rowid = cursor.lastrowid
            conn.execute(
                "INSERT INTO idx_fts (rowid, body, title) VALUES (?,?,?)",
                (rowid, item.body, item.title or ""),
            )
            conn.executemany(
                "INSERT OR IGNORE INTO idx_item_actors (actor_id, item) VALUES (?,?)",
                [(actor, rowid) for actor in item.actors],
            )

    def on_delete(self, conn: sqlite3.Connection, document_id: str) -> None:
        rows = [
            r[0] for r in conn.execute("SELECT rowid FROM idx_items WHERE document_id = ?", (document_id,))
        ]
        if not rows:
            return
        marks = ",".join("?" * len(rows))
        conn.execute(f"DELETE FROM idx_fts WHERE rowid IN ({marks})", rows)
        conn.execute(f"DELETE FROM idx_item_actors WHERE item IN ({marks})", rows)
        conn.execute(f"DELETE FROM idx_items WHERE rowid IN ({marks})", rows)

    def clear(self, conn: sqlite3.Connection) -> None:
        for table in ("idx_fts", "idx_item_actors", "idx_items"):
            conn.execute(f"DELETE FROM {table}")

    # -- reads ----------------------------------------------------------------------------

    def search(self, query: SearchQuery) -> SearchResult:
        started = time.perf_counter()
        conn = self._connection()
        where, params, match = _filters(query)
        source = "idx_items i"
        if match:
            source += " JOIN idx_fts ON idx_fts.rowid = i.rowid AND idx_fts MATCH ?"
            params = [match, *params]
        clause = " AND ".join(where)
        total = conn.execute(f"SELECT count(*) FROM {source} WHERE {clause}", params).fetchone()[0]
        hits = self._hits(conn, source, clause, params, query, bool(match)) if query.limit else []
        facets = {name: _facet(conn, name, source, clause, params) for name in query.facets}
        took = round((time.perf_counter() - started) * 1000, 3)
        return SearchResult(hits=hits, total=total, facets=facets, took_ms=took)

    def _hits(self, conn, source, clause, params, query: SearchQuery, matched: bool) -> list[SearchHit]:
        sort = query.sort or ("relevance" if matched else "-date")
        order = {
            "relevance": "bm25(idx_fts)" if matched else "i.date DESC",
            "date": "i.date IS NULL, i.date, i.rowid",
            "-date": "i.date IS NULL, i.date DESC, i.rowid DESC",
        }[sort]
        snippet = "snippet(idx_fts, 0, '<mark>', '</mark>', '…', 16)" if matched else "NULL"
        rows = conn.execute(
            f"SELECT i.item_id, i.document_id, i.payload, i.date, {snippet} FROM {source} WHERE {clause}"
            f" ORDER BY {order} LIMIT ? OFFSET ?",
            [*params, query.limit, query.offset],
        ).fetchall()
        return [
            SearchHit(id=r[0], document_id=r[1], item=_decode(r[2]), date=r[3], snippet=r[4]) for r in rows
        ]

    def status(self) -> dict[str, Any]:
        self._connection().execute("SELECT 1 FROM idx_items LIMIT 1").fetchall()
        return {"ok": True, "backend": self.name, "lag": 0}

    def close(self) -> None:
        """Nothing of its own to release: the store owns the connections."""

    def _connection(self) -> sqlite3.Connection:
        if self._connect is None:
            raise RuntimeError("the index is not set up: SQLiteStore calls setup() when it opens")
        return self._connect()


def _filters(query: SearchQuery) -> tuple[list[str], list[Any], str | None]:
    where, params = ["i.collection = ?"], [query.collection]
    for name in ("status", "claimant", "speaker", "source"):
        values = getattr(query, name)
        if values:
            where.append(f"i.{COLUMNS[name]} IN ({','.join('?' * len(values))})")
            params += values
    if query.actor:
        where.append(
            f"i.rowid IN (SELECT item FROM idx_item_actors WHERE actor_id IN ({','.join('?' * len(query.actor))}))"
        )
        params += query.actor
    if query.date_from:
        where.append("i.date >= ?")
        params.append(query.date_from)
    if query.date_to:
        where.append("i.date <= ?")
        params.append(query.date_to + "\uffff")  # a day includes every time on it
    return where, params, fts_query(query.q) if query.q else None


def _facet(
    conn: sqlite3.Connection, name: str, source: str, clause: str, params: list[Any]
) -> dict[str, int]:
    if name == "actor":
        sql = (
            f"SELECT a.actor_id, count(*) FROM {source} JOIN idx_item_actors a ON a.item = i.rowid"
            f" WHERE {clause} GROUP BY a.actor_id ORDER BY count(*) DESC, a.actor_id LIMIT {FACET_LIMIT}"
        )
    else:
        column = f"i.{COLUMNS[name]}"
        sql = (
            f"SELECT {column}, count(*) FROM {source} WHERE {clause} AND {column} IS NOT NULL"
            f" GROUP BY {column} ORDER BY count(*) DESC, {column} LIMIT {FACET_LIMIT}"
        )
    return {value: count for value, count in conn.execute(sql, params)}
