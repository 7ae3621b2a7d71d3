"""Prometheus metrics, one registry per app (nothing global), and the request middleware:
request id (X-Request-ID in and out), access log line, request counters.

Kept by hand rather than Litestar's PrometheusConfig/PrometheusController, which cannot do
this job: its middleware keeps its metrics in a class-level dict registered in
prometheus_client's global REGISTRY (every app in a process shares and double-counts them, and
the controller serves that global registry), it runs as route middleware so unknown paths
are never counted, it labels with the raw path unless grouped, and it has no extractor or
index-lag metrics.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Iterator
from typing import cast

from litestar.types import ASGIApp, HTTPScope, Message, Receive, Scope, Send
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily

from claimscope.logs import request_id_var
from claimscope.models import ExtractorRun
from claimscope.pipeline.runner import outcome

REQUEST_ID_HEADER = "x-request-id"
access_log = logging.getLogger("claimscope.access")


class Metrics:
    def __init__(self, lag: Callable[[], float], switched_off: Callable[[], list[str]] = list) -> None:
        self.registry = CollectorRegistry()
        self.registry.register(_CircuitCollector(switched_off))
        self.requests = Counter(
            "claimscope_http_requests",
            "HTTP requests answered",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "claimscope_http_request_seconds",
            "HTTP request latency",
            ["method", "route"],
            registry=self.registry,
        )
        self.extractor_ms = Histogram(
            "claimscope_extractor_milliseconds",
            "Extraction time per extractor and document",
            ["extractor"],
            buckets=(1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000),
            registry=self.registry,
        )
        self.extractor_failures = Counter(
            "claimscope_extractor_failures",
            "Extractor runs that failed or timed out",
            ["extractor"],
            registry=self.registry,
        )
        self.index_lag = Gauge(
            "claimscope_index_lag",
            "Writes stored but not yet in the search index (outbox rows)",
            registry=self.registry,
        )
        self.index_lag.set_function(lag)

    def record_run(self, run: ExtractorRun) -> None:
        if outcome(run) != "skipped":
            self.extractor_ms.labels(run.name).observe(run.ms)
        if not run.ok:
            self.extractor_failures.labels(run.name).inc()

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


class _CircuitCollector:
    """claimscope_extractor_circuit_open, read from the circuit breakers at each scrape."""

    def __init__(self, switched_off: Callable[[], list[str]]) -> None:
        self.switched_off = switched_off

    def collect(self) -> Iterator[GaugeMetricFamily]:
        family = GaugeMetricFamily(
            "claimscope_extractor_circuit_open",
            "1 while an extractor is switched off after timing out on documents in a row",
            labels=["extractor"],
        )
        for name in self.switched_off():
            family.add_metric([name], 1.0)
        yield family


def request_middleware(metrics: Metrics) -> Callable[[ASGIApp], ASGIApp]:
    """Gives every request an id (taken from X-Request-ID when sane), echoes it, and counts the request."""

    def middleware(app: ASGIApp) -> ASGIApp:
        async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http":
                await app(scope, receive, send)
                return
            method = cast("HTTPScope", scope)["method"]
            request_id = _request_id(scope)
            scope.setdefault("state", {})["request_id"] = request_id
            token = request_id_var.set(request_id)
            started = time.perf_counter()
            status = 500

            async def send_with_id(message: Message) -> None:
                nonlocal status
                if message["type"] == "http.response.start":
                    status = message["status"]
                    message["headers"] = [*message.get("headers", []), (b"x-request-id", request_id.encode())]
                await send(message)

            try:
                await app(scope, receive, send_with_id)
            finally:
                elapsed = time.perf_counter() - started
                route = scope.get("path_template") or "unmatched"
                metrics.requests.labels(method, route, str(status)).inc()
                metrics.latency.labels(method, route).observe(elapsed)
                access_log.info(
                    "%s %s %s",
                    method,
                    scope["path"],
                    status,
                    extra={
                        "method": method,
                        "path": scope["path"],
                        "status": status,
                        "ms": round(elapsed * 1000, 2),
                    },
                )
                request_id_var.reset(token)

        return wrapped

    return middleware


def _request_id(scope: Scope) -> str:
    for name, value in scope.get("headers", []):
        if name == REQUEST_ID_HEADER.encode():
            candidate = value.decode("latin-1")
            if 0 < len(candidate) <= 128 and candidate.isascii() and candidate.isprintable():
                return candidate
    return uuid.uuid4().hex
