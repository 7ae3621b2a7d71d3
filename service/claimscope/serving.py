"""How `claimscope serve` runs uvicorn: a cap on connections and a deadline for request headers.

uvicorn's `limit_concurrency` answers 503 only once a request's headers are in, and it has no
timeout for headers that come slowly or never (it times out idle keep-alive connections
only): connections that never finish a request pile up past any cap until the process runs
out of file descriptors, and then no one gets in, /health included. So the protocol below
(uvicorn's own, httptools when installed or h11, with two additions) answers 503 and closes
a connection at once when `max_connections` are already open, and closes one whose request
headers are not complete `header_timeout_s` after it opened or after its previous response
(both protocols start a new request cycle only once the headers are in).
"""

from __future__ import annotations

import asyncio
import logging
import resource
from typing import Any

from uvicorn.protocols.http.auto import AutoHTTPProtocol

from claimscope.settings import Settings

BUSY = (
    b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain; charset=utf-8\r\n"
    b"content-length: 36\r\nconnection: close\r\n\r\ntoo many connections; try again later"
)
log = logging.getLogger("claimscope.serve")


def limited_protocol(seconds: float) -> type[asyncio.Protocol]:
    """uvicorn's HTTP protocol with the connection cap (its limit_concurrency) applied as
    connections open, and a deadline of `seconds` for request headers."""
    base: Any = AutoHTTPProtocol

    class HeaderDeadline(base):
        _deadline: asyncio.TimerHandle | None = None

        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            super().connection_made(transport)
            if self.limit_concurrency is not None and len(self.connections) > self.limit_concurrency:
                log.warning("connection refused: CLAIMSCOPE_MAX_CONNECTIONS are open")
                self.transport.write(BUSY)
                self.transport.close()
                return
            self._arm()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            self._arm()

        def connection_lost(self, exc: Exception | None) -> None:
            if self._deadline is not None:
                self._deadline.cancel()
            super().connection_lost(exc)

        def _arm(self) -> None:
            if self._deadline is not None:
                self._deadline.cancel()
            waiting_on = self.cycle  # the request before; a new one replaces it once its headers are in
            self._deadline = self.loop.call_later(seconds, self._expire, waiting_on)

        def _expire(self, waiting_on: object) -> None:
            if self.cycle is waiting_on and not self.transport.is_closing():
                self.transport.close()

    return HeaderDeadline


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """The connection limits of `serve`, from settings."""
    return {
        "limit_concurrency": settings.max_connections,
        "backlog": settings.backlog,
        "timeout_keep_alive": settings.keep_alive_timeout_s,
        "http": limited_protocol(settings.header_timeout_s),
    }


def ensure_file_limit(connections: int) -> None:
    """Raise the soft limit on open files (up to the hard one) to hold the capped connections
    with room for the database, the index and the logs."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = connections + 256
    if soft != resource.RLIM_INFINITY and soft < wanted:
        new = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (new, hard))
        if new < wanted:
            log.warning("open-file limit %d is low for CLAIMSCOPE_MAX_CONNECTIONS=%d", new, connections)
