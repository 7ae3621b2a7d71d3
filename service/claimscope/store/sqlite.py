"""The system of record: documents, extractions and canonical actors in one SQLite file (WAL).

Writes are serialised by one lock and run in ``BEGIN IMMEDIATE`` transactions, so
concurrent requests never see "database is locked"; reads use one connection per
thread and never wait for writers (WAL).
"""

from __future__ import annotations

import base64
import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import msgspec

from claimscope.actors import Gazetteer, canonicalize, normalize_name
from claimscope.errors import Conflict, InvalidInput, StorageFull, StorageUnavailable
from claimscope.index.base import SearchIndex
from claimscope.index.items import story_item
from claimscope.models import Actor, Document, DocumentSummary
from claimscope.pipeline.circuits import Circuit
from claimscope.store.migrations import migrate
from claimscope.stories.grouping import Stories
from claimscope.stories.state import StoryState

_encode = msgspec.json.Encoder().encode
_decode_document = msgspec.json.Decoder(Document).decode
_decode_aliases = msgspec.json.Decoder(list[str]).decode
_decode_circuit = msgspec.json.Decoder(Circuit).decode


class ActorRow(msgspec.Struct):
    """A canonical actor as stored, with how often it occurs."""

    id: str
    name: str
    type: str
    aliases: list[str]
    document_count: int = 0
    mention_count: int = 0


class SQLiteStore:
    """Documents, extractions, canonical actors and stories; the index changes in the same
    transaction."""

    def __init__(
        self,
        path: Path,
        index: SearchIndex | None = None,
        gazetteer: Gazetteer | None = None,
        stories: Stories | None = None,
    ) -> None:
        self.path = Path(path)
        self.index = index
        self.stories = stories
        self.gazetteer = gazetteer or Gazetteer()
        self._local = threading.local()
        self._write_lock = threading.Lock()
        self._connections: list[sqlite3.Connection] = []
        self.write_failure: StorageFull | None = None  # the last write found the disk full
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.transaction() as conn:
                migrate(conn)
                if index is not None:
                    index.setup(conn, self.connection)
        except (OSError, StorageFull, StorageUnavailable) as exc:
            reason = exc.strerror if isinstance(exc, OSError) else str(exc.__context__ or exc)
            raise StorageUnavailable(
                f"cannot write the data directory {self.path.parent}: {reason}"
            ) from None

    # -- connections -------------------------------------------------------------------

    def connection(self) -> sqlite3.Connection:
        """This thread's connection (autocommit; transactions are explicit)."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=30)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")  # in WAL: durable across process crashes
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA busy_timeout=30000")
            self._local.conn = conn
            self._connections.append(conn)
        return conn

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction under the write lock. A disk that is full or cannot be written
        raises StorageFull / StorageUnavailable naming the cause; nothing of it is stored."""
        with self._write_lock:
            try:
                conn = self.connection()
                conn.execute("BEGIN IMMEDIATE")
                try:
                    yield conn
                    conn.execute("COMMIT")
                except BaseException:
                    if conn.in_transaction:  # SQLite may have rolled back itself (SQLITE_FULL, IOERR)
                        conn.execute("ROLLBACK")
                    raise
            except sqlite3.Error as exc:
                if storage := self._storage_error(exc):
                    raise storage from exc
                raise
            self.write_failure = None

    def _storage_error(self, exc: sqlite3.Error) -> StorageFull | StorageUnavailable | None:
        """The domain error for a failure of the disk rather than of the request, or None."""
        code = getattr(exc, "sqlite_errorcode", 0) & 0xFF  # the primary code of an extended one
        where = self.path.parent
        if code == sqlite3.SQLITE_FULL:
            full = StorageFull(f"the disk holding {where} is full (SQLite: {exc}); nothing was stored")
            self.write_failure = full
            return full
        if code in (sqlite3.SQLITE_IOERR, sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN):
            return StorageUnavailable(f"the data directory {where} cannot be written (SQLite: {exc})")
        return None

    def writable(self, room: int) -> str | None:
        """Why writes fail now, or None. After a write found the disk full, writes count as
        failing until one succeeds or the disk has `room` bytes free again."""
        if self.write_failure is None:
            return None
        stats = os.statvfs(self.path.parent)
        if stats.f_bavail * stats.f_frsize >= room:
            self.write_failure = None
            return None
        return self.write_failure.detail

    def close(self) -> None:
        for conn in self._connections:
            conn.close()
        self._connections.clear()
        self._local = threading.local()

    def ping(self) -> None:
        self.connection().execute("SELECT 1").fetchone()

    # -- documents ---------------------------------------------------------------------

    def get_document(self, document_id: str) -> Document | None:
        row = self.connection().execute("SELECT body FROM documents WHERE id = ?", (document_id,)).fetchone()
        return _decode_document(row[0]) if row else None

    def content_hash(self, document_id: str) -> str | None:
        row = (
            self.connection()
            .execute("SELECT content_hash FROM documents WHERE id = ?", (document_id,))
            .fetchone()
        )
        return row[0] if row else None

    def save_document(
        self, document: Document, *, replace: bool, if_hash: str | None = None
    ) -> tuple[Document, bool]:
        """Store `document`; returns (the stored document, True if created).

        The same id with the same text returns what is stored. The same id with other
        text raises Conflict unless `replace`. With `if_hash`, the document is replaced only
        while the stored one still has that content hash (Conflict otherwise). Actors are
        made canonical here, in the write transaction, so two documents naming a new actor
        at once get one id.
        """
        with self.transaction() as conn:
            row = conn.execute(
                "SELECT content_hash, body FROM documents WHERE id = ?", (document.id,)
            ).fetchone()
            if if_hash is not None and (row is None or row[0] != if_hash):
                raise Conflict(f"document {document.id!r} changed or was deleted meanwhile", id=document.id)
            if row and row[0] == document.content_hash and not replace:
                return _decode_document(row[1]), False
            if row and not replace:
                raise Conflict(
                    f"document {document.id!r} exists with other text; use PUT /v1/documents/{document.id} to replace it",
                    id=document.id,
                )
            canonicalize(document.extraction, _ActorTable(conn), self.gazetteer)
            body = _encode(document)
            if row:
                conn.execute(
                    "UPDATE documents SET content_hash=?, ingested_at=?, published_at=?, source=?, body=? WHERE id=?",
                    (
                        document.content_hash,
                        document.ingested_at.isoformat(),
                        document.published_at,
                        document.source,
                        body,
                        document.id,
                    ),
                )
            else:
                conn.execute(
                    "INSERT INTO documents (id, content_hash, ingested_at, published_at, source, body) VALUES (?,?,?,?,?,?)",
                    (
                        document.id,
                        document.content_hash,
                        document.ingested_at.isoformat(),
                        document.published_at,
                        document.source,
                        body,
                    ),
                )
            _link_actors(conn, document)
            changed: dict[str, StoryState | None] = {}
            if self.stories is not None:
                if row:
                    changed.update(self.stories.remove_document(conn, document.id))
                changed.update(self.stories.add_document(conn, document))
            if self.index is not None:
                self.index.on_upsert(conn, document)
                self._index_stories(conn, changed)
            return document, row is None

    def delete_document(self, document_id: str) -> bool:
        with self.transaction() as conn:
            deleted = conn.execute("DELETE FROM documents WHERE id = ?", (document_id,)).rowcount
            if deleted:
                conn.execute("DELETE FROM document_actors WHERE document_id = ?", (document_id,))
                changed = self.stories.remove_document(conn, document_id) if self.stories else {}
                if self.index is not None:
                    self.index.on_delete(conn, document_id)
                    self._index_stories(conn, changed)
            return bool(deleted)

    def _index_stories(self, conn: sqlite3.Connection, changed: dict[str, StoryState | None]) -> None:
        if changed and self.index is not None:
            self.index.on_stories(
                conn, {sid: story_item(sid, state) if state else None for sid, state in changed.items()}
            )

    def list_documents(self, cursor: str | None, limit: int) -> tuple[list[DocumentSummary], str | None]:
        """One page in ingestion order; the cursor is opaque to clients."""
        after = _decode_cursor(cursor) if cursor else 0
        rows = (
            self.connection()
            .execute("SELECT seq, body FROM documents WHERE seq > ? ORDER BY seq LIMIT ?", (after, limit + 1))
            .fetchall()
        )
        items = [summary_of(_decode_document(body)) for _, body in rows[:limit]]
        next_cursor = _encode_cursor(rows[limit - 1][0]) if len(rows) > limit else None
        return items, next_cursor

    def iter_documents(self, batch: int = 500) -> Iterator[Document]:
        """Every stored document, in ingestion order, read in batches."""
        after = 0
        while True:
            rows = (
                self.connection()
                .execute("SELECT seq, body FROM documents WHERE seq > ? ORDER BY seq LIMIT ?", (after, batch))
                .fetchall()
            )
            if not rows:
                return
            for _, body in rows:
                yield _decode_document(body)
            after = rows[-1][0]

    def count_documents(self) -> int:
        return self.connection().execute("SELECT count(*) FROM documents").fetchone()[0]

    # -- extractor circuit breakers ---------------------------------------------------------

    def circuits(self) -> list[Circuit]:
        rows = self.connection().execute("SELECT body FROM extractor_circuits").fetchall()
        return [_decode_circuit(row[0]) for row in rows]

    def save_circuit(self, circuit: Circuit) -> None:
        with self.transaction() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO extractor_circuits (name, body) VALUES (?, ?)",
                (circuit.name, _encode(circuit)),
            )

    # -- actors ------------------------------------------------------------------------

    def get_actor(self, actor_id: str) -> ActorRow | None:
        rows = self._actor_rows("WHERE a.id = ?", (actor_id,), limit=1, offset=0)
        return rows[0] if rows else None

    def list_actors(
        self, *, type: str | None = None, prefix: str | None = None, limit: int = 50, offset: int = 0
    ) -> tuple[list[ActorRow], int]:
        """Actors by how many documents name them; `prefix` matches the name or any alias."""
        where, params = [], []
        if type:
            where.append("a.type = ?")
            params.append(type)
        if prefix:
            where.append("a.id IN (SELECT actor_id FROM actor_aliases WHERE norm >= ? AND norm < ?)")
            norm = normalize_name(prefix)
            params += [norm, norm + "\U0010ffff"]
        clause = ("WHERE " + " AND ".join(where)) if where else ""
        total = self.connection().execute(f"SELECT count(*) FROM actors a {clause}", params).fetchone()[0]
        return self._actor_rows(clause, tuple(params), limit=limit, offset=offset), total

    def _actor_rows(self, clause: str, params: tuple, *, limit: int, offset: int) -> list[ActorRow]:
        sql = f"""
            SELECT a.id, a.name, a.type, a.aliases,
                   (SELECT count(*) FROM document_actors d WHERE d.actor_id = a.id) AS docs,
                   (SELECT coalesce(sum(mentions), 0) FROM document_actors d WHERE d.actor_id = a.id)
            FROM actors a {clause}
            ORDER BY docs DESC, a.id LIMIT ? OFFSET ?"""
        rows = self.connection().execute(sql, (*params, limit, offset)).fetchall()
        return [ActorRow(r[0], r[1], r[2], _decode_aliases(r[3]), r[4], r[5]) for r in rows]

    def has_actor(self, actor_id: str) -> bool:
        return (
            self.connection().execute("SELECT 1 FROM actors WHERE id = ?", (actor_id,)).fetchone() is not None
        )

    def actor_ids_for(self, name: str) -> list[str]:
        """Ids of actors whose name or alias is `name` (any form, see normalize_name)."""
        return _ActorTable(self.connection()).ids_for_alias(name)


class _ActorTable:
    """The canonical actor table as :func:`claimscope.actors.canonicalize` sees it."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def get(self, actor_id: str) -> Actor | None:
        row = self.conn.execute(
            "SELECT id, name, type, aliases FROM actors WHERE id = ?", (actor_id,)
        ).fetchone()
        return Actor(id=row[0], name=row[1], type=row[2], aliases=_decode_aliases(row[3])) if row else None

    def ids_for_alias(self, name: str) -> list[str]:
        rows = self.conn.execute("SELECT actor_id FROM actor_aliases WHERE norm = ?", (normalize_name(name),))
        return [r[0] for r in rows]

    def put(self, actor: Actor) -> None:
        self.conn.execute(
            "INSERT INTO actors (id, name, type, aliases) VALUES (?,?,?,?) "
            "ON CONFLICT(id) DO UPDATE SET aliases = excluded.aliases",
            (actor.id, actor.name, actor.type, _encode(actor.aliases)),
        )
        self.conn.executemany(
            "INSERT OR IGNORE INTO actor_aliases (norm, actor_id) VALUES (?, ?)",
            [(normalize_name(form), actor.id) for form in [actor.name, *actor.aliases]],
        )


def _link_actors(conn: sqlite3.Connection, document: Document) -> None:
    conn.execute("DELETE FROM document_actors WHERE document_id = ?", (document.id,))
    conn.executemany(
        "INSERT INTO document_actors (document_id, actor_id, mentions) VALUES (?,?,?)",
        [(document.id, a.id, len(a.mentions)) for a in document.extraction.actors],
    )


def summary_of(document: Document) -> DocumentSummary:
    return DocumentSummary(
        id=document.id,
        content_hash=document.content_hash,
        ingested_at=document.ingested_at,
        title=document.title,
        url=document.url,
        source=document.source,
        published_at=document.published_at,
    )


MAX_SEQ = 2**63 - 1


def _encode_cursor(seq: int) -> str:
    return base64.urlsafe_b64encode(f"seq:{seq}".encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> int:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        kind, _, value = raw.partition(":")
        # ASCII digits only (int() also takes "-5", " 5", "1_0" and other scripts' digits), and
        # within SQLite's 64-bit integers, which a forged sequence would overflow
        if kind != "seq" or not (value.isascii() and value.isdigit()) or len(value) > 19:
            raise ValueError
        seq = int(value)
        if seq > MAX_SEQ:
            raise ValueError
        return seq
    except ValueError:
        raise InvalidInput("`cursor` is not a cursor this service issued", field="cursor") from None
