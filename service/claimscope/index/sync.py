"""The outbox worker: pushes stored writes to an index through its Pusher, in order, batch by batch.

Only `claimscope serve`, `claimscope worker` and `claimscope reindex --wait` run one; every other
command only appends to the outbox. Each round claims the oldest rows under a lease (see
:mod:`claimscope.index.outbox`), reads their documents from the store as they are now, pushes
them in one batch, and acknowledges the rows once the pusher returns. A failure keeps the rows
and their lease; the worker waits with exponential backoff (0.5 s doubling to 30 s) and tries
again, re-applying the target's settings first. When the target was created empty or vanished,
the worker refills it from the store.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from claimscope.index.items import IndexItem, items_of
from claimscope.index.outbox import Batch, Change, Claimed, Outbox, Pusher, TargetLost, new_owner_id
from claimscope.models import Document

BATCH_ROWS = 100
BATCH_CHARS = 8_000_000  # text per push; a batch of long articles is cut into several
log = logging.getLogger("claimscope.index.sync")


def exponential_backoff(attempt: int) -> float:
    """0.5 s, 1 s, 2 s … up to 30 s between tries while the index is unreachable."""
    return min(30.0, 0.5 * 2 ** min(attempt, 6))


class OutboxWorker:
    """Drains `outbox` into `pusher`. `load` reads a stored document (None when deleted),
    `load_story` a story's index item (None when it is gone); `refill` enqueues every stored
    document and story again (``Claimscope.reindex``)."""

    def __init__(
        self,
        outbox: Outbox,
        pusher: Pusher,
        load: Callable[[str], Document | None],
        refill: Callable[[], object],
        *,
        load_story: Callable[[str], IndexItem | None] = lambda story_id: None,
        backoff: Callable[[int], float] = exponential_backoff,
        poll_seconds: float = 0.5,
        batch_rows: int = BATCH_ROWS,
    ) -> None:
        self.outbox = outbox
        self.pusher = pusher
        self.load = load
        self.load_story = load_story
        self.refill = refill
        self.backoff = backoff
        self.poll_seconds = poll_seconds
        self.batch_rows = batch_rows
        self.owner = new_owner_id()
        self.last_error: str | None = None
        self._ready = False  # target created and configured
        self._refill = False  # the target lost what it held
        self._wakeup = threading.Event()
        self._stopping = threading.Event()
        self._stop_by = float("inf")  # monotonic time after which a stopping worker gives up
        self._thread: threading.Thread | None = None

    # -- one round ---------------------------------------------------------------------

    def drain_once(self) -> int:
        """Claim, push and acknowledge one batch; returns how many rows left the outbox
        (0 when it is empty or another process is draining it). Raises when the push fails."""
        claimed = self.outbox.claim(self.owner, self.batch_rows)
        try:
            if not self._ready:
                if self.pusher.apply_settings() or self._refill:
                    log.warning("the index was created empty or lost: refilling it from the store")
                    if claimed is not None:  # let the rebuild supersede these rows too
                        self.outbox.release(self.owner)
                        claimed = None
                    self.refill()
                self._ready, self._refill = True, False
            if claimed is None:
                return 0
            batch, pushed = self._batch(claimed)
            self.pusher.push(batch)
        except Exception as exc:
            self._ready = False
            self._refill = self._refill or isinstance(exc, TargetLost)
            self.last_error = f"{type(exc).__name__}: {exc}"
            if claimed is not None:
                self.outbox.fail(self.owner, claimed.seqs, self.last_error)
            raise
        self.last_error = None
        return self.outbox.ack(self.owner, pushed)

    def _batch(self, claimed: Claimed) -> tuple[Batch, list[int]]:
        """The documents of the claimed rows as stored now (each once), up to BATCH_CHARS of
        text; returns the batch and the rows it covers (a prefix of the claim)."""
        changes: dict[str, Change] = {}
        pushed: list[int] = []
        size = 0
        for seq, op, document_id in claimed.rows:
            if op == "story":
                if "story/" + document_id not in changes:  # '/' is in no document id
                    item = self.load_story(document_id)
                    changes["story/" + document_id] = Change(
                        document_id, [item] if item else None, story=True
                    )
            elif op != "clear" and document_id not in changes:
                document = self.load(document_id)
                size += len(document.text) if document else 0
                if size > BATCH_CHARS and changes:
                    break
                changes[document_id] = Change(document_id, items_of(document) if document else None)
            pushed.append(seq)
        return Batch(clear=claimed.clear, changes=list(changes.values())), pushed

    # -- in the background (serve, worker) ---------------------------------------------

    def start(self) -> None:
        if self._thread is None:
            self.outbox.on_append(self._wakeup.set)
            self._thread = threading.Thread(target=self._run, name="index-outbox", daemon=True)
            self._thread.start()

    def stop(self, flush_seconds: float = 5.0) -> None:
        """Drain what can be drained within `flush_seconds`, then stop and release the lease."""
        self._stop_by = time.monotonic() + flush_seconds
        self._stopping.set()
        self._wakeup.set()
        if self._thread is not None:
            self._thread.join(timeout=flush_seconds + 1)
            self._thread = None
            self.outbox.off_append(self._wakeup.set)
        self.outbox.release(self.owner)

    def _run(self) -> None:
        attempt = 0
        while not (self._stopping.is_set() and time.monotonic() > self._stop_by):
            try:
                drained = self.drain_once()
                attempt = 0
            except Exception:
                log.warning("index outbox push failed (attempt %d): %s", attempt + 1, self.last_error)
                if self._stopping.wait(self.backoff(attempt)):
                    return
                attempt += 1
                continue
            if drained == 0:
                if self._stopping.is_set():
                    return
                self._wakeup.wait(self.poll_seconds)
                self._wakeup.clear()

    # -- in the foreground (reindex --wait, tests) -------------------------------------

    def drain(self, timeout: float, progress: Callable[[int], None] | None = None) -> int:
        """Push until the outbox is empty (whoever drains it) or `timeout` seconds pass;
        returns the rows left. `progress` gets the lag after each round."""
        deadline = time.monotonic() + timeout
        attempt = 0
        try:
            while True:
                try:
                    drained = self.drain_once()
                    attempt = 0
                except Exception:
                    drained, pause = 0, self.backoff(attempt)
                    attempt += 1
                else:
                    pause = self.poll_seconds
                left = self.outbox.lag()
                if progress is not None:
                    progress(left)
                if left == 0 or time.monotonic() >= deadline:
                    return left
                if drained == 0:  # failed, or another process holds the lease
                    time.sleep(min(pause, max(0.0, deadline - time.monotonic())))
        finally:
            self.outbox.release(self.owner)
