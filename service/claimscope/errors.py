"""Domain errors. The API maps each to an RFC 9457 problem; the CLI prints its message."""

from __future__ import annotations

from typing import Any


class ClaimscopeError(Exception):
    status = 400
    title = "Bad request"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class NotFound(ClaimscopeError):
    status = 404
    title = "Not found"


class Conflict(ClaimscopeError):
    status = 409
    title = "Conflict"


class InvalidInput(ClaimscopeError):
    status = 400
    title = "Invalid input"


class InvalidQuery(ClaimscopeError):
    status = 400
    title = "Invalid query"


class UnsupportedMediaType(ClaimscopeError):
    status = 415
    title = "Unsupported media type"


class Unauthorized(ClaimscopeError):
    status = 401
    title = "Unauthorized"


class Forbidden(ClaimscopeError):
    status = 403
    title = "Forbidden"


class Unprocessable(ClaimscopeError):
    """Well-formed, but nothing can be made of it (a page with no article text)."""

    status = 422
    title = "Unprocessable content"


class UrlRefused(Unprocessable):
    """A URL the fetch policy forbids (scheme, credentials, a private or metadata address)."""

    title = "URL refused"


class PageUnavailable(Unprocessable):
    """A URL that was allowed but gave no usable page (timeout, size, type, status)."""

    title = "Page not fetched"


class IndexUnavailable(ClaimscopeError):
    """The search index does not answer (e.g. Meilisearch is down): try again later."""

    status = 503
    title = "Service unavailable"


class StorageFull(ClaimscopeError):
    """The disk holding the data directory has no room: nothing of the request was stored."""

    status = 507
    title = "Insufficient storage"


class StorageUnavailable(ClaimscopeError):
    """The data directory cannot be written (read-only, missing, I/O error)."""

    status = 503
    title = "Storage unavailable"
