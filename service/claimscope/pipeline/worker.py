"""An extraction worker process: loads the plugins itself, calls their ``startup`` hook once,
then runs the extractors on the jobs its parent sends until the parent goes away.

Messages are msgpack over a pipe. Before each extractor call the worker writes into a small
shared array which call it is making and when it started, so the parent can time each call from
its start without a message per call (see ``pool.py``).
"""

from __future__ import annotations

import importlib
import math
import signal
import time
from multiprocessing.connection import Connection
from typing import Any

import msgspec
from msgspec import Struct

from claimscope.logs import configure_logging, request_id_var
from claimscope.models import DocumentIn, Extraction, ExtractorRun
from claimscope.pipeline.manager import PluginError, load_plugins
from claimscope.pipeline.runner import execute, order, select
from claimscope.settings import Settings, SettingsError

IDLE = -1.0


class Spec(Struct, frozen=True):
    """How a worker finds the same plugins as its parent."""

    settings: Settings
    entry_points: bool
    modules: tuple[str, ...] = ()


class Settled(Struct, array_like=True):
    extractor: int
    document: int | None  # None: every document
    run: ExtractorRun


class Job(Struct, array_like=True):
    documents: list[DocumentIn]
    settled: list[Settled]
    request_id: str | None
    budget_s: float


class Ready(Struct, tag="ready"):
    extractors: list[str]


class StartFailed(Struct, tag="start-failed"):
    error: str


class Done(Struct, tag="done"):
    extractions: list[Extraction]


class Crashed(Struct, tag="crashed"):
    error: str


Reply = Ready | StartFailed | Done | Crashed
encode = msgspec.msgpack.Encoder().encode
decode_reply = msgspec.msgpack.Decoder(Reply).decode
_decode_job = msgspec.msgpack.Decoder(Job).decode


def main(conn: Connection, marker: Any, spec: Spec) -> None:
    """The worker's life: start, then one job at a time until the pipe closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group; the parent decides
    settings = spec.settings
    configure_logging(settings.log_level, settings.log_json)
    try:
        plugins = load_plugins(
            entry_points=spec.entry_points, extra=[importlib.import_module(m) for m in spec.modules]
        )
        enabled = select(plugins.extractors, settings.extractors_enabled, settings.extractors_disabled)
        extractors = [r.extractor for r in order(enabled)]
        plugins.startup(settings)
    except (PluginError, SettingsError) as exc:  # their messages name the plugin or the variable
        conn.send_bytes(encode(StartFailed(str(exc))))
        return
    except Exception as exc:
        conn.send_bytes(
            encode(StartFailed(f"an extraction worker could not start: {type(exc).__name__}: {exc}"))
        )
        return
    conn.send_bytes(encode(Ready([e.name for e in extractors])))

    def starting(extractor: int, document: int | None) -> None:
        with marker.get_lock():
            marker[0], marker[1], marker[2] = (
                extractor,
                -1 if document is None else document,
                time.monotonic(),
            )

    try:
        while True:
            try:
                job = _decode_job(conn.recv_bytes())
            except EOFError:
                return
            token = request_id_var.set(job.request_id)
            # A dead man's switch: the parent kills a call at its deadline, but if the parent is
            # gone (kill -9) nobody would stop a runaway call. SIGALRM's default action ends
            # the process even while a regex holds the interpreter lock.
            signal.alarm(math.ceil(job.budget_s * len(job.documents) * max(1, len(extractors))) + 30)
            try:
                extractions = execute(
                    extractors,
                    plugins.gazetteer,
                    job.documents,
                    budget_s=job.budget_s,
                    settled={(s.extractor, s.document): s.run for s in job.settled},
                    starting=starting,
                )
                reply: Done | Crashed = Done(extractions)
            except Exception as exc:  # our own bug, not an extractor's: report it, stay up
                reply = Crashed(f"{type(exc).__name__}: {exc}")
            finally:
                signal.alarm(0)
                request_id_var.reset(token)
                with marker.get_lock():
                    marker[0] = IDLE
            conn.send_bytes(encode(reply))
    finally:
        plugins.shutdown()
