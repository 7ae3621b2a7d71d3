"""The index outbox: stored writes on their way to an index that cannot join the store's transaction.

This module is the one owner of the ``index_outbox`` table. An index kept outside the SQLite
file (Meilisearch, tantivy) plugs in by subclassing :class:`OutboxIndex`, which supplies the
whole write side of the SearchIndex port, and by being a :class:`Pusher`::

    class MyIndex(OutboxIndex):
        name = "my"

        def apply_settings(self) -> bool:
            ...  # create the target if missing, configure it (idempotent);
            ...  # True when it was created empty, so the worker refills it from the store
        def push(self, batch: Batch) -> None:
            ...  # make the target hold exactly batch's items per document; raise to retry,
            ...  # TargetLost when the target vanished
        def reachable(self) -> bool: ...
        # and the read side: search(), count_by_actor(), close()

How a write travels: the store calls ``on_upsert``/``on_delete`` inside its write transaction,
and they append a row naming the document, so an acknowledged write always has its row (even
after kill -9). Rows carry no payload: the worker (:mod:`claimscope.index.sync`) reads each
document from the store when it pushes, so a push always carries the document as it is now
and an older version can never overtake a newer one. Rows are claimed oldest first, under a
lease with an owner id, and only while no other owner holds a live lease: one process at a
time drains, batch after batch, each push finished before the next batch is claimed. A row
leaves the outbox when its push succeeded (``ack``); a failed push keeps the rows, with the
error, for the next try.
"""

from __future__ import annotations

import os
import secrets
import socket
import sqlite3
import time
from collections.abc import Callable
from typing import Any, Protocol

import msgspec

from claimscope.index.items import IndexItem
from claimscope.models import Document

LEASE_SECONDS = 120.0
_LIVE_OWNERS: set[str] = set()  # owners draining in this process (their pid is ours, and alive)

_COLUMNS = {  # column -> its definition; older databases get the missing ones added
    # upsert | delete (both: push the document as stored) | story (push the story as stored) | clear
    "op": "TEXT NOT NULL DEFAULT 'upsert'",
    "document_id": "TEXT NOT NULL DEFAULT ''",  # or the story id, for op story
    "created_at": "REAL",  # unix time of the write
    "owner": "TEXT",  # who holds the lease, see new_owner_id()
    "lease_until": "REAL",
    "attempts": "INTEGER NOT NULL DEFAULT 0",
    "last_error": "TEXT",
}


class Change(msgspec.Struct, frozen=True):
    """One document as the index must now hold it: its items, or None when it is gone. With
    `story`, `document_id` is a story id and `items` the story's one item."""

    document_id: str
    items: list[IndexItem] | None
    story: bool = False


class Batch(msgspec.Struct, frozen=True):
    """What a pusher applies at once: forget everything first if `clear` (a rebuild starts),
    then replace each changed document's items (each document appears once)."""

    clear: bool
    changes: list[Change]


class Pusher(Protocol):
    def apply_settings(self) -> bool:
        """Create the target if it is missing and configure it; idempotent. Returns True when
        the target was created empty (first start, a wiped volume, a new format) and must be
        refilled from the store. Called before the first push and again after any failure."""
        ...

    def push(self, batch: Batch) -> None:
        """Apply `batch` and return once the target holds it; raise to have it retried."""
        ...


class TargetLost(Exception):
    """The target index vanished under the worker (e.g. its volume was wiped): refill it."""


class Claimed(msgspec.Struct, frozen=True):
    """Rows claimed by one owner: consecutive, oldest first; a `clear` row only comes first."""

    rows: list[tuple[int, str, str]]  # (seq, op, document_id)

    @property
    def clear(self) -> bool:
        return self.rows[0][1] == "clear"

    @property
    def seqs(self) -> list[int]:
        return [seq for seq, _, _ in self.rows]


class OutboxStats(msgspec.Struct, frozen=True):
    lag: int  # rows waiting: writes stored but not yet in the index
    oldest_seconds: float | None  # how long the oldest has waited
    last_error: str | None = None  # why the oldest row's last push failed
    attempts: int = 0  # failed pushes of the oldest row


def new_owner_id() -> str:
    """host:pid:random: unique per worker, and lets a restarted process on the same host see
    that the owner of a lease it finds has died (see Outbox.claim)."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


def _owner_is_dead(owner: str) -> bool:
    host, _, rest = owner.partition(":")
    pid_text, _, _ = rest.partition(":")
    if host != socket.gethostname() or not pid_text.isdigit():
        return False  # another machine's worker: only its lease's expiry tells
    pid = int(pid_text)
    if pid == os.getpid():
        return owner not in _LIVE_OWNERS  # else an earlier life of this pid (pid 1 in a container)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


class Outbox:
    """The ``index_outbox`` table: append, claim under a lease, acknowledge, report."""

    def __init__(self, lease_seconds: float = LEASE_SECONDS) -> None:
        self.lease_seconds = lease_seconds
        self._connect: Callable[[], sqlite3.Connection] | None = None
        self._listeners: list[Callable[[], None]] = []

    def setup(self, conn: sqlite3.Connection, connect: Callable[[], sqlite3.Connection]) -> None:
        """Create the table, or add what an older version lacks (inside the store's transaction)."""
        conn.execute("CREATE TABLE IF NOT EXISTS index_outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT)")
        have = {row[1] for row in conn.execute("PRAGMA table_info(index_outbox)")}
        for column, definition in _COLUMNS.items():
            if column not in have:
                conn.execute(f"ALTER TABLE index_outbox ADD COLUMN {column} {definition}")
        conn.execute("UPDATE index_outbox SET created_at = ? WHERE created_at IS NULL", (time.time(),))
        conn.execute(
            "CREATE INDEX IF NOT EXISTS index_outbox_leases ON index_outbox(owner) WHERE owner IS NOT NULL"
        )
        # for waiting(): asked on every write, while a rebuild may have queued every document
        conn.execute("CREATE INDEX IF NOT EXISTS index_outbox_documents ON index_outbox(document_id)")
        self._connect = connect

    def on_append(self, listener: Callable[[], None]) -> None:
        """Call `listener` after each append (a worker in this process wakes up)."""
        self._listeners.append(listener)

    def off_append(self, listener: Callable[[], None]) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    # -- the store's side: inside its write transaction ------------------------------------

    def append(self, conn: sqlite3.Connection, op: str, document_id: str) -> None:
        conn.execute(
            "INSERT INTO index_outbox (op, document_id, created_at) VALUES (?, ?, ?)",
            (op, document_id, time.time()),
        )
        for listener in self._listeners:
            listener()

    def restart(self, conn: sqlite3.Connection) -> None:
        """A rebuild begins: rows nobody is pushing are superseded by a `clear` row; the rows
        that follow it (one per stored document) refill the index."""
        conn.execute("DELETE FROM index_outbox WHERE owner IS NULL OR lease_until < ?", (time.time(),))
        self.append(conn, "clear", "")

    # -- the worker's side -----------------------------------------------------------------

    def claim(self, owner: str, limit: int) -> Claimed | None:
        """Lease the oldest rows (up to `limit`, cut before a `clear` that is not first) to
        `owner`, or None when the outbox is empty or another live owner is draining it."""
        _LIVE_OWNERS.add(owner)
        now = time.time()
        with self._transaction() as conn:
            others = conn.execute(
                "SELECT DISTINCT owner FROM index_outbox WHERE owner IS NOT NULL AND owner != ?"
                " AND lease_until >= ?",
                (owner, now),
            ).fetchall()
            if not all(_owner_is_dead(other) for (other,) in others):
                return None
            rows = conn.execute(
                "SELECT seq, op, document_id FROM index_outbox ORDER BY seq LIMIT ?", (limit,)
            ).fetchall()
            if not rows:
                return None
            cut = next((n for n, row in enumerate(rows) if n and row[1] == "clear"), len(rows))
            rows = rows[:cut]
            conn.execute(
                "UPDATE index_outbox SET owner = ?, lease_until = ? WHERE seq BETWEEN ? AND ?",
                (owner, now + self.lease_seconds, rows[0][0], rows[-1][0]),
            )
        return Claimed([(seq, op, document_id) for seq, op, document_id in rows])

    def ack(self, owner: str, seqs: list[int]) -> int:
        """The rows `seqs` reached the index: remove them (only while `owner` holds them)."""
        with self._transaction() as conn:
            return conn.executemany(
                "DELETE FROM index_outbox WHERE seq = ? AND owner = ?", [(seq, owner) for seq in seqs]
            ).rowcount

    def fail(self, owner: str, seqs: list[int], error: str) -> None:
        """A push of `seqs` failed: keep them (and the lease), count the attempt, note why."""
        with self._transaction() as conn:
            conn.executemany(
                "UPDATE index_outbox SET attempts = attempts + 1, last_error = ? WHERE seq = ? AND owner = ?",
                [(error[:1000], seq, owner) for seq in seqs],
            )

    def release(self, owner: str) -> None:
        """`owner` stops draining: its rows go back to whoever claims next."""
        _LIVE_OWNERS.discard(owner)
        if self._connect is None:
            return
        with self._transaction() as conn:
            conn.execute("UPDATE index_outbox SET owner = NULL, lease_until = NULL WHERE owner = ?", (owner,))

    # -- reports ---------------------------------------------------------------------------

    def lag(self) -> int:
        """Rows waiting; local and cheap."""
        return self._connection().execute("SELECT count(*) FROM index_outbox").fetchone()[0]

    def waiting(self, document_id: str) -> bool:
        """Whether a write of this document, or a rebuild, still waits to reach the index."""
        conn = self._connection()
        if conn.execute(
            "SELECT 1 FROM index_outbox WHERE document_id = ? LIMIT 1", (document_id,)
        ).fetchone():
            return True
        rebuild = conn.execute(
            "SELECT 1 FROM index_outbox WHERE document_id = '' LIMIT 1"
        ).fetchone()  # 'clear'
        return rebuild is not None

    def stats(self) -> OutboxStats:
        conn = self._connection()
        lag = conn.execute("SELECT count(*) FROM index_outbox").fetchone()[0]
        oldest = conn.execute(
            "SELECT created_at, attempts, last_error FROM index_outbox ORDER BY seq LIMIT 1"
        ).fetchone()
        if oldest is None:
            return OutboxStats(lag=0, oldest_seconds=None)
        age = round(max(0.0, time.time() - oldest[0]), 3) if oldest[0] is not None else None
        return OutboxStats(lag=lag, oldest_seconds=age, attempts=oldest[1], last_error=oldest[2])

    def _connection(self) -> sqlite3.Connection:
        if self._connect is None:
            raise RuntimeError("the outbox is not set up: SQLiteStore calls setup() when it opens")
        return self._connect()

    def _transaction(self) -> _Transaction:
        return _Transaction(self._connection())


class _Transaction:
    """BEGIN IMMEDIATE … COMMIT on this thread's connection (other processes write too)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __enter__(self) -> sqlite3.Connection:
        self.conn.execute("BEGIN IMMEDIATE")
        return self.conn

    def __exit__(self, kind: object, *rest: object) -> None:
        self.conn.execute("ROLLBACK" if kind else "COMMIT")


class OutboxIndex:
    """The write side of the SearchIndex port for every index fed through the outbox.

    A subclass adds the pusher (``apply_settings``, ``push``), ``reachable`` and the reads.
    """

    name = "outbox"

    def __init__(self, outbox: Outbox | None = None) -> None:
        self.outbox = outbox or Outbox()

    def setup(self, conn: sqlite3.Connection, connect: Callable[[], sqlite3.Connection]) -> None:
        self.outbox.setup(conn, connect)

    def on_upsert(self, conn: sqlite3.Connection, document: Document) -> None:
        self.outbox.append(conn, "upsert", document.id)

    def on_delete(self, conn: sqlite3.Connection, document_id: str) -> None:
        self.outbox.append(conn, "delete", document_id)

    def on_stories(self, conn: sqlite3.Connection, stories: dict[str, IndexItem | None]) -> None:
        for story_id in stories:  # the worker reads each story as it is when it pushes
            self.outbox.append(conn, "story", story_id)

    def clear(self, conn: sqlite3.Connection) -> None:
        self.outbox.restart(conn)

    def searchable(self, document_id: str) -> bool:
        """True once the outbox holds no write of the document: a row leaves it only after the
        index holds the push (a reader of the index may still take a moment to reload)."""
        return not self.outbox.waiting(document_id)

    def generation(self) -> int | None:
        return None

    def lag(self) -> int:
        return self.outbox.lag()

    def apply_settings(self) -> bool:
        raise NotImplementedError  # see Pusher

    def push(self, batch: Batch) -> None:
        raise NotImplementedError  # see Pusher

    def reachable(self) -> bool:
        """The target answers (for /ready)."""
        raise NotImplementedError

    def status(self) -> dict[str, Any]:
        """For /ready: the target answers, and what waits in the outbox (from any process)."""
        error = None
        try:
            ok = self.reachable()
        except Exception as exc:  # any failure to answer is "not reachable"
            ok, error = False, f"{type(exc).__name__}: {exc}"
        stats = self.outbox.stats()
        status: dict[str, Any] = {"ok": ok, "backend": self.name, "lag": stats.lag}
        if error:
            status["error"] = error
        if stats.lag:
            status["oldest_seconds"] = stats.oldest_seconds
        if stats.last_error:
            status.update(last_error=stats.last_error, attempts=stats.attempts)
        return status
