"""Structured logs: one JSON object per line, carrying the id of the request being served.

Litestar's LoggingConfig does the plumbing (dictConfig of every logger). Not its queue
handler: uvicorn ends the process by re-raising SIGTERM, so lines still queued at exit (the
shutdown's own) would be lost. Kept here, because neither the standard library nor Litestar
has them: the JSON formatter that adds the request id from the context, and a filter that
stops one message repeated in a burst (a flood of refused or malformed connections) from
filling the disk.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging
import time
from typing import Any

from litestar.logging.config import LoggingConfig

ACCESS_LOGGER = "claimscope.access"
request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
_STANDARD = set(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {
    "message",
    "asctime",
    "color_message",
}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        request_id = request_id_var.get()
        if request_id:
            entry["request_id"] = request_id
        entry.update({k: v for k, v in record.__dict__.items() if k not in _STANDARD})
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


class RepeatFilter(logging.Filter):
    """Lets through at most `limit` identical lines (logger, level, message) per `window`
    seconds; the first one after a window that dropped some says how many. The access log
    passes whole: one line per request, bounded by the connection cap, and counted on."""

    MAX_KEYS = 10_000  # distinct templates are few; past this the counts start over

    def __init__(self, limit: int = 20, window: float = 60.0) -> None:
        super().__init__()
        self.limit = limit
        self.window = window
        self._seen: dict[tuple[str, int, str], list[Any]] = {}  # key -> [window start, count, dropped]

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == ACCESS_LOGGER:
            return True
        now = time.monotonic()
        key = (record.name, record.levelno, record.getMessage())
        entry = self._seen.get(key)
        if entry is None or now - entry[0] >= self.window:
            if len(self._seen) >= self.MAX_KEYS:
                self._seen.clear()
            if entry is not None and entry[2]:
                record.repeats_suppressed = entry[2]
            self._seen[key] = [now, 1, 0]
            return True
        entry[1] += 1
        if entry[1] <= self.limit:
            return True
        entry[2] += 1
        return False


def logging_config(level: str = "info", as_json: bool = True, repeat_limit: int = 20) -> LoggingConfig:
    """Every logger (claimscope's, uvicorn's, plugins') to stderr in one format."""
    text = {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}
    return LoggingConfig(
        formatters={"standard": {"()": JsonFormatter} if as_json else text},
        filters={"repeats": {"()": RepeatFilter, "limit": repeat_limit}},
        handlers={
            "console": {"class": "logging.StreamHandler", "formatter": "standard", "filters": ["repeats"]},
            "queue_listener": {"class": "logging.NullHandler"},  # Litestar's default, unused (see above)
        },
        root={"handlers": ["console"], "level": level.upper()},
        loggers={
            name: {"level": level.upper(), "handlers": [], "propagate": True}
            for name in ("litestar", "uvicorn", "uvicorn.error", "uvicorn.access")
        },
        log_exceptions="never",  # api/problems.py logs the unexpected ones, with the request
    )


def configure_logging(level: str = "info", as_json: bool = True, repeat_limit: int = 20) -> None:
    """Route every logger to stderr in one format (the CLI calls this; apps never do)."""
    logging_config(level, as_json, repeat_limit).configure()
