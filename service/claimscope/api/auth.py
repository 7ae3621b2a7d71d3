"""API keys: `Authorization: Bearer <key>`. Write keys can do everything; read keys only read.

With any key configured, every write needs a write key: read keys alone make the service
read-only (and say so at start-up). Reads need a key only when read keys are configured.
"""

from __future__ import annotations

import hashlib
import hmac

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from claimscope.errors import Forbidden, Unauthorized
from claimscope.settings import Settings

READ_METHODS = {"GET", "HEAD", "OPTIONS"}
OPEN_PATHS = {"/health", "/ready", "/metrics"}


def read_only_notice(settings: Settings) -> str | None:
    """The start-up warning for read keys without write keys, or None."""
    if settings.read_keys and not settings.api_keys:
        return (
            "CLAIMSCOPE_READ_KEYS is set without CLAIMSCOPE_API_KEYS: reads need a read key"
            " and no one can write (every write answers 403)"
        )
    return None


def is_page(path: str) -> bool:
    """The pages for people guard themselves (they also take the key from a login cookie)."""
    return path == "/" or path.startswith("/ui/")


def _digest(key: str) -> bytes:
    return hashlib.sha256(key.encode()).digest()


class KeyChecker:
    """Compares presented keys with the configured ones by SHA-256 digest, in constant time."""

    def __init__(self, settings: Settings) -> None:
        self.write = [_digest(k) for k in settings.api_keys]
        self.read = [_digest(k) for k in settings.read_keys]

    def scope_of(self, key: str) -> str | None:
        digest = _digest(key)
        # any() over all keys without short-circuit keeps timing independent of which key matched
        is_write = sum(hmac.compare_digest(digest, k) for k in self.write) > 0
        is_read = sum(hmac.compare_digest(digest, k) for k in self.read) > 0
        return "write" if is_write else "read" if is_read else None

    def guard(self, connection: ASGIConnection, _: BaseRouteHandler) -> None:
        path = connection.scope["path"]
        if path in OPEN_PATHS or path.startswith("/schema") or is_page(path):
            return
        is_read = connection.scope.get("method") in READ_METHODS
        if is_read and not self.read:
            return  # reads are open unless read keys are configured
        if not is_read and not self.write:
            # any key configured means writes need a write key; with read keys alone there is none
            raise Forbidden(
                "this service takes no writes: it has read keys but no write keys (CLAIMSCOPE_API_KEYS)"
            )
        header = connection.headers.get("authorization", "")
        scheme, _sep, key = header.partition(" ")
        if scheme.lower() != "bearer" or not key.strip():
            raise Unauthorized("this request needs an API key: send `Authorization: Bearer <key>`")
        scope = self.scope_of(key.strip())
        if scope is None:
            raise Unauthorized("the API key is not valid")
        if not is_read and scope != "write":
            raise Forbidden("this API key may only read; writing needs a write key")
