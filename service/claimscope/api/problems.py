"""One mechanism for errors: every exception becomes an RFC 9457 problem+json response.

Litestar's ProblemDetailsPlugin renders them: each exception kind below is converted into a
:class:`Problem` (its ProblemDetailsException), which makes the response. Kept here, because
the plugin cannot do it: a problem names its request (`instance`, `request_id`, which the
plugin's converters never see), every problem has a title (the plugin's HTTPException
conversion puts the detail there), decode errors name the field at fault, and the OpenAPI
document declares the problems each operation can answer (`document_problems`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException, SerializationException, ValidationException
from litestar.openapi.spec import (
    Components,
    OpenAPI,
    OpenAPIMediaType,
    OpenAPIResponse,
    OpenAPIType,
    Reference,
    Schema,
)
from litestar.plugins.problem_details import (
    ProblemDetailsConfig,
    ProblemDetailsException,
    ProblemDetailsPlugin,
)

from claimscope.errors import ClaimscopeError

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger("claimscope.api")


class Problem(ProblemDetailsException):
    """A problem with a title always, that names the request it answers when rendered."""

    def __init__(
        self,
        status: int,
        detail: str,
        title: str | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        if status == 401:
            headers = {**(headers or {}), "WWW-Authenticate": "Bearer"}
        super().__init__(
            detail=detail,
            status_code=status,
            title=title or HTTPStatus(status).phrase,
            type_="about:blank",
            headers=headers,
            extra=extra,
        )

    def to_response(self, request: Request[Any, Any, Any]) -> Response[dict[str, Any]]:
        self.instance = request.url.path
        request_id = request.scope.get("state", {}).get("request_id")
        if request_id and isinstance(self.extra, dict):
            self.extra = {**self.extra, "request_id": request_id}
        elif request_id:
            self.extra = {"request_id": request_id}
        return super().to_response(request)


def _domain(exc: ClaimscopeError) -> Problem:
    return Problem(exc.status, exc.detail, exc.title, **exc.extra)


def _invalid(exc: ValidationException) -> Problem:
    errors = (
        [_field_error(e) for e in exc.extra if isinstance(e, dict)] if isinstance(exc.extra, list) else []
    )
    if not errors:
        return Problem(400, exc.detail, "Invalid request")
    detail = "; ".join(f"`{e['field']}`: {e['message']}" if e["field"] else e["message"] for e in errors)
    return Problem(400, detail, "Invalid request", errors=errors)


def _http(exc: HTTPException) -> Problem:
    detail = exc.detail
    if exc.status_code == 413:
        detail = "the request body is larger than this service accepts"
    elif isinstance(exc.__cause__, SerializationException) and not detail.startswith("JSON"):
        detail = f"JSON is malformed: {detail}"
    return Problem(exc.status_code, detail, headers=dict(exc.headers or {}))


def _too_deep(exc: RecursionError) -> Problem:
    return Problem(400, "JSON is nested too deeply")


def _undecodable(exc: UnicodeDecodeError) -> Problem:
    return Problem(400, f"JSON is malformed: the body is not valid UTF-8 ({exc.reason} at byte {exc.start})")


def _unexpected(exc: Exception) -> Problem:
    log.error("unhandled error", exc_info=exc)  # the log line carries the request id
    return Problem(500, "an unexpected error occurred; it has been logged")


# msgspec names a missing or unknown field only in its message (it has no structured path:
# msgspec issue #264) and Litestar passes the parent's key ("data" for the body) along.
_NAMED_FIELD = re.compile(r"(?:unknown|missing required) field `([^`]+)`")
_FRIENDLY = {  # constrained fields whose schema message (a regex) would mean little to a client
    "published_at": "expected an ISO 8601 date or date-time, such as 2024-10-23 or 2024-10-23T08:00:00Z",
    "id": "an id is 1-200 characters, each a letter, a digit or one of . _ : -",
    "document_id": "an id is 1-200 characters, each a letter, a digit or one of . _ : -",
}


def _field_error(error: dict[str, Any]) -> dict[str, Any]:
    """{field, message, source} from one of Litestar's structured decode errors."""
    message = str(error.get("message", "invalid value"))
    field = str(error.get("key") or "")
    if field == "data" and error.get("source") == "body":
        field = ""  # Litestar names the whole body "data"
        if message == "'data'":  # Litestar's KeyError when there is no body at all
            message = "the request body is empty; send a JSON object"
    if named := _NAMED_FIELD.search(message):
        field = ".".join(x for x in (field, named.group(1)) if x)
    elif field.rsplit(".", 1)[-1] in _FRIENDLY:
        message = _FRIENDLY[field.rsplit(".", 1)[-1]]
    return {"field": field or None, "message": message, "source": error.get("source")}


CONVERTERS: dict[type[Exception], Callable[[Any], ProblemDetailsException]] = {
    ClaimscopeError: _domain,
    ValidationException: _invalid,
    HTTPException: _http,
    UnicodeDecodeError: _undecodable,
    RecursionError: _too_deep,
    Exception: _unexpected,
}
# every kind the app answers with a problem
PROBLEM_KINDS: tuple[type[Exception], ...] = (ProblemDetailsException, *CONVERTERS)


def problem_details() -> ProblemDetailsPlugin:
    return ProblemDetailsPlugin(ProblemDetailsConfig(exception_to_problem_detail_map=CONVERTERS))


PROBLEM_SCHEMA = Schema(
    type=OpenAPIType.OBJECT,
    required=["type", "title", "status", "detail"],
    description="An RFC 9457 problem; `errors` lists the fields at fault, when known.",
    properties={
        "type": Schema(type=OpenAPIType.STRING),
        "title": Schema(type=OpenAPIType.STRING),
        "status": Schema(type=OpenAPIType.INTEGER),
        "detail": Schema(type=OpenAPIType.STRING),
        "instance": Schema(type=OpenAPIType.STRING),
        "request_id": Schema(type=OpenAPIType.STRING),
        "errors": Schema(type=OpenAPIType.ARRAY, items=Schema(type=OpenAPIType.OBJECT)),
        "field": Schema(type=OpenAPIType.STRING, description="The request field at fault, when one is"),
        "reason": Schema(
            type=OpenAPIType.STRING,
            description="Why a URL was refused or its page not fetched: address, scheme, credentials, "
            "invalid, dns, connect, network, timeout, redirects, status, content-type, too-large, encoding",
        ),
        "url": Schema(type=OpenAPIType.STRING, description="The URL that was refused or not fetched"),
    },
)
UNGUARDED = {"/health", "/ready"}


def document_problems(schema: OpenAPI) -> None:
    """Declare, on every operation, the problem+json answers it can give (in place)."""
    components = schema.components if isinstance(schema.components, Components) else Components()
    components.schemas = {**(components.schemas or {}), "Problem": PROBLEM_SCHEMA}
    schema.components = components
    ref = Reference(ref="#/components/schemas/Problem")
    for path, item in (schema.paths or {}).items():
        for method in ("get", "put", "post", "delete", "patch"):
            operation = getattr(item, method, None)
            if operation is None:
                continue
            codes = {400}
            if path not in UNGUARDED:
                codes |= {401, 403}
            if "{" in path:
                codes.add(404)
            if operation.request_body is not None:
                codes |= {409, 413, 415}
            if operation.request_body is not None or method == "delete":
                codes |= {503, 507}  # the data directory cannot be written / its disk is full
            responses = operation.responses or {}
            codes |= {int(code) for code in responses if str(code).startswith(("4", "5"))}
            for code in sorted(codes):
                previous = responses.get(str(code))
                description = getattr(previous, "description", None) or HTTPStatus(code).phrase
                responses[str(code)] = OpenAPIResponse(
                    description=description, content={PROBLEM_JSON: OpenAPIMediaType(schema=ref)}
                )
            operation.responses = responses
