"""/health, /ready and /metrics: for load balancers, orchestrators and Prometheus."""

from __future__ import annotations

from typing import Any

from litestar import Response, get
from prometheus_client import CONTENT_TYPE_LATEST

from claimscope.api.deps import Core, MetricsDep


@get("/health", operation_id="getHealth", tags=["operations"])
async def health() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@get("/ready", operation_id="getReadiness", sync_to_thread=True, tags=["operations"])
def ready(core: Core) -> Response[dict[str, Any]]:
    """The store and the index answer; `index.lag` counts writes not yet in the index. 503 when not
    ready, also while writes fail for a full disk (until one succeeds or the disk has room).

    `degraded` (still 200: documents are accepted and stored, so traffic should keep coming)
    names the extractors switched off after timing out; `claimscope reextract` fills in the
    documents stored meanwhile.
    """
    checks: dict[str, Any] = {}
    try:
        core.store.ping()
        checks["store"] = {"ok": True, "documents": core.store.count_documents()}
        # room for a body at the limit with its extraction and index rows
        if failing := core.store.writable(room=2 * core.settings.max_body_bytes):
            checks["store"].update(ok=False, error=failing)
    except Exception as exc:  # report, don't crash: this endpoint exists to say what is wrong
        checks["store"] = {"ok": False, "error": str(exc)}
    try:
        checks["index"] = core.index.status()
    except Exception as exc:
        checks["index"] = {"ok": False, "error": str(exc)}
    ok = all(c.get("ok") for c in checks.values())
    switched_off = core.pipeline.circuits.open_names()
    checks["extractors"] = {"ok": not switched_off, "switched_off": switched_off}
    status = "not ready" if not ok else "degraded" if switched_off else "ready"
    return Response({"status": status, **checks}, status_code=200 if ok else 503)


@get("/metrics", operation_id="getMetrics", tags=["operations"], include_in_schema=False)
async def metrics(metrics: MetricsDep) -> Response[bytes]:
    """Prometheus exposition."""
    return Response(metrics.exposition(), media_type=CONTENT_TYPE_LATEST)


ROUTES = [health, ready, metrics]
