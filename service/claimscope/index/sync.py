"""The outbox worker: pushes stored writes to Meilisearch, in order, until the outbox is empty.

Rows are written in the store's transaction, so nothing acknowledged is missing from the
outbox, even after kill -9. A row leaves the outbox only after Meilisearch reports its task
succeeded; pushing a row twice (after a crash between the two) is harmless, because a push
replaces everything the document had. While Meilisearch is down the worker retries with
exponential backoff; `MeiliIndex.status()` shows the lag and the last error.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import msgspec

if TYPE_CHECKING:
    from claimscope.index.meili import MeiliIndex

OUTBOX_SCHEMA = """
CREATE TABLE IF NOT EXISTS index_outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    op TEXT NOT NULL,
    document_id TEXT NOT NULL,
    payload BLOB
)
"""
BATCH = 100
log = logging.getLogger("claimscope.index.sync")
_decode = msgspec.json.Decoder(list[dict[str, Any]]).decode


def exponential_backoff(attempt: int) -> float:
    """0.5 s, 1 s, 2 s … up to 30 s between tries while Meilisearch is unreachable."""
    return min(30.0, 0.5 * 2 ** min(attempt, 6))


class OutboxWorker(threading.Thread):
    def __init__(
        self,
        index: MeiliIndex,
        connect: Callable[[], sqlite3.Connection],
        *,
        backoff: Callable[[int], float] | None = None,
        poll_seconds: float = 0.5,
    ) -> None:
        super().__init__(name="meili-outbox", daemon=True)
        self.index = index
        self.connect = connect
        self.backoff = backoff or exponential_backoff
        self.poll_seconds = poll_seconds
        self.last_error: str | None = None
        self._wakeup = threading.Event()
        self._stopping = threading.Event()
        self._settings_applied = False

    def wake(self) -> None:
        self._wakeup.set()

    def stop(self, flush_seconds: float = 5.0) -> None:
        """Drain what can be drained within `flush_seconds`, then stop."""
        self._stopping.set()
        self._wakeup.set()
        self.join(timeout=flush_seconds + 1)

    def run(self) -> None:
        attempt = 0
        while True:
            try:
                drained = self.drain_once()
                attempt = 0
                self.last_error = None
                if self._stopping.is_set() and drained == 0:
                    return
                if drained == 0:
                    self._wakeup.wait(self.poll_seconds)
                    self._wakeup.clear()
            except Exception as exc:  # Meilisearch down or failing: keep the rows, wait, retry
                self.last_error = f"{type(exc).__name__}: {exc}"
                log.warning("index outbox push failed (attempt %d): %s", attempt + 1, self.last_error)
                if self._stopping.is_set():
                    return
                self._stopping.wait(self.backoff(attempt))
                attempt += 1

    def drain_once(self) -> int:
        """Push up to one batch of outbox rows; returns how many left the outbox."""
        if not self._settings_applied:
            self.index.apply_settings()
            self._settings_applied = True
        conn = self.connect()
        rows = conn.execute(
            "SELECT seq, op, document_id, payload FROM index_outbox ORDER BY seq LIMIT ?", (BATCH,)
        ).fetchall()
        for seq, op, document_id, payload in rows:
            self.index.push(op, document_id, _decode(payload) if payload else [])
            conn.execute("DELETE FROM index_outbox WHERE seq = ?", (seq,))
        return len(rows)
