"""Extraction worker processes, and the watch that kills one whose extractor overruns.

Extraction is pure Python, and Python's ``re`` holds the interpreter lock for a whole match:
in a thread, a pathological pattern would stall every request of the service and could never
be stopped. In a worker process it costs one core and its own budget. The parent process only
waits on a pipe (the lock released), so the service keeps answering.

A job (documents, plus the calls already settled) goes to an idle worker, which runs
``runner.execute`` and answers with the extractions. The worker writes each call and the
moment it starts into a shared array; the parent reads it to know each call's deadline, so the
budget counts from the start of the call, never from the queue. A call past its deadline (or a
worker that dies) raises :class:`~claimscope.pipeline.runner.Interrupted`: the worker is
killed, and the pipeline sends the rest of the document to another worker. Workers are started
on demand up to `size` (or all at once by :meth:`WorkerPool.start`), so a killed one is
replaced by the next job that needs it.
"""

from __future__ import annotations

import logging
import multiprocessing
import threading
import time
from collections.abc import Mapping
from typing import Any

from claimscope.models import DocumentIn, Extraction, ExtractorRun
from claimscope.pipeline import worker
from claimscope.pipeline.manager import PluginError
from claimscope.pipeline.runner import Call, Interrupted
from claimscope.pipeline.worker import Crashed, Done, Job, Ready, Settled, Spec, StartFailed

log = logging.getLogger("claimscope.pipeline.pool")
START_TIMEOUT_S = 120.0  # loading plugins may load models (spaCy)
_context = multiprocessing.get_context("spawn")  # fork is unsafe in a threaded server


class WorkerStartError(PluginError):
    """A worker could not load the plugins or run their startup hooks."""


class _Worker:
    """One worker process and the parent's end of its pipe."""

    def __init__(self, spec: Spec, number: int) -> None:
        self.conn, child = _context.Pipe()
        self.marker: Any = _context.Array("d", [worker.IDLE, -1.0, 0.0])
        self.process = _context.Process(
            target=worker.main,
            args=(child, self.marker, spec),
            name=f"claimscope-extractor-{number}",
            daemon=True,
        )
        self.process.start()
        child.close()

    def ready(self, expected: list[str]) -> None:
        """Wait for the worker's first word; raise WorkerStartError unless it is ready."""
        if not self.conn.poll(START_TIMEOUT_S):
            self.kill()
            raise WorkerStartError(f"an extraction worker did not start in {START_TIMEOUT_S:.0f} s")
        try:
            reply = worker.decode_reply(self.conn.recv_bytes())
        except EOFError:
            self.kill()
            raise WorkerStartError(
                f"an extraction worker exited while starting (exit code {self.process.exitcode})"
            ) from None
        if isinstance(reply, StartFailed):
            self.kill()
            raise WorkerStartError(reply.error)
        if not isinstance(reply, Ready) or reply.extractors != expected:
            self.kill()
            raise WorkerStartError(
                f"an extraction worker loaded other extractors ({reply}) than the service ({expected})"
            )

    def call(self) -> tuple[int, int | None, float] | None:
        """The call the worker is making and when it started (monotonic), or None between jobs."""
        with self.marker.get_lock():
            extractor, document, started = self.marker[:]
        if extractor == worker.IDLE:
            return None
        return int(extractor), None if document < 0 else int(document), started

    def run(self, payload: bytes, budget_s: float, documents: int) -> list[Extraction]:
        self.conn.send_bytes(payload)
        while True:
            call = self.call()
            if call is None:
                wait = budget_s  # not in a call yet: look again later
            else:
                extractor, document, started = call
                limit = budget_s * (documents if document is None else 1)
                wait = started + limit - time.monotonic()
                if wait <= 0:
                    self.kill()
                    raise Interrupted(
                        (extractor, document),
                        round((time.monotonic() - started) * 1000, 3),
                        f"timed out after {limit * 1000:.0f} ms",
                    )
            if self.conn.poll(wait):
                return self._receive()

    def _receive(self) -> list[Extraction]:
        try:
            reply = worker.decode_reply(self.conn.recv_bytes())
        except (EOFError, OSError):
            self.kill()
            call = self.call()  # the last call it began
            raise Interrupted(
                None if call is None else call[:2],
                0.0,
                f"extraction worker died (exit code {self.process.exitcode})",
            ) from None
        if isinstance(reply, Done):
            return reply.extractions
        error = reply.error if isinstance(reply, Crashed) else f"unexpected reply {type(reply).__name__}"
        raise Interrupted(None, 0.0, f"extraction worker failed: {error}")

    def kill(self) -> None:
        self.process.kill()
        self.process.join(timeout=10)
        self.conn.close()

    def stop(self, timeout: float) -> None:
        """Close the pipe (the worker calls the shutdown hooks and exits); kill it if it lingers."""
        self.conn.close()
        self.process.join(timeout)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(timeout=10)


class WorkerPool:
    """Up to `size` worker processes loading the plugins `spec` names, and running `expected`."""

    def __init__(self, spec: Spec, size: int, expected: list[str]) -> None:
        self.spec = spec
        self.size = size
        self.expected = expected
        self._idle: list[_Worker] = []
        self._alive = 0
        self._started = 0
        self._closed = False
        self._changed = threading.Condition()

    def start(self) -> None:
        """Start every worker now and wait until each is ready (the server does this at start-up)."""
        with self._changed:
            missing = self.size - self._alive
            self._alive += missing
        for _ in range(missing):
            self._checkin(self._spawn())

    def run(
        self,
        documents: list[DocumentIn],
        settled: Mapping[Call, ExtractorRun],
        request_id: str | None,
        budget_s: float,
    ) -> list[Extraction]:
        job = Job(
            documents=documents,
            settled=[Settled(e, d, run) for (e, d), run in settled.items()],
            request_id=request_id,
            budget_s=budget_s,
        )
        payload = worker.encode(job)
        try:
            chosen = self._checkout()
        except WorkerStartError as exc:
            raise Interrupted(None, 0.0, str(exc)) from None
        try:
            extractions = chosen.run(payload, budget_s, len(documents))
        except BaseException:
            self._lost(chosen)
            raise
        self._checkin(chosen)
        return extractions

    def close(self, timeout: float = 10.0) -> None:
        with self._changed:
            self._closed = True
            idle, self._idle = self._idle, []
            self._changed.notify_all()
        for w in idle:
            w.stop(timeout)

    def _checkout(self) -> _Worker:
        with self._changed:
            while not self._idle and self._alive >= self.size and not self._closed:
                self._changed.wait()
            if self._closed:
                raise RuntimeError("the extraction pool is closed")
            if self._idle:
                return self._idle.pop()
            self._alive += 1  # a slot is free: start a worker in it, outside the lock
        return self._spawn()

    def _spawn(self) -> _Worker:
        with self._changed:
            self._started += 1
            number = self._started
        try:
            started = _Worker(self.spec, number)
            started.ready(self.expected)
        except BaseException:
            with self._changed:
                self._alive -= 1
                self._changed.notify()
            raise
        return started

    def _checkin(self, w: _Worker) -> None:
        with self._changed:
            if not self._closed:
                self._idle.append(w)
                self._changed.notify()
                return
        w.stop(0)

    def _lost(self, w: _Worker) -> None:
        if w.process.is_alive():
            w.kill()
        with self._changed:
            self._alive -= 1
            self._changed.notify()
        log.warning("extraction worker %s stopped; a new one starts when needed", w.process.name)
