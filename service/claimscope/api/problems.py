"""One mechanism for errors: every exception becomes an RFC 9457 problem+json response."""

from __future__ import annotations

import logging
import re
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
from litestar.types import ExceptionHandlersMap

from claimscope.errors import ClaimscopeError

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger("claimscope.api")


def problem(
    request: Request,
    status: int,
    detail: str,
    title: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> Response:
    body = {
        "type": "about:blank",
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
        **extra,
    }
    request_id = request.scope.get("state", {}).get("request_id")
    if request_id:
        body["request_id"] = request_id
    if status == 401:
        headers = {**(headers or {}), "WWW-Authenticate": "Bearer"}
    return Response(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def claimscope_error(request: Request, exc: ClaimscopeError) -> Response:
    return problem(request, exc.status, exc.detail, exc.title, **exc.extra)


def validation_error(request: Request, exc: ValidationException) -> Response:
    errors = (
        [_field_error(e) for e in exc.extra or [] if isinstance(e, dict)]
        if isinstance(exc.extra, list)
        else []
    )
    if errors:
        detail = "; ".join(f"`{e['field']}`: {e['message']}" if e["field"] else e["message"] for e in errors)
    else:
        detail = _clean(exc.detail)
    return problem(request, 400, detail, "Invalid request", errors=errors)


def http_error(request: Request, exc: HTTPException) -> Response:
    status = exc.status_code
    detail = _clean(exc.detail)
    if status == 413:
        detail = "the request body is larger than this service accepts"
    elif isinstance(exc.__cause__, SerializationException) and not detail.startswith("JSON"):
        detail = f"JSON is malformed: {detail}"
    return problem(request, status, detail, headers=dict(exc.headers or {}))


def too_deep(request: Request, exc: RecursionError) -> Response:
    return problem(request, 400, "JSON is nested too deeply")


def undecodable_body(request: Request, exc: UnicodeDecodeError) -> Response:
    return problem(
        request, 400, f"JSON is malformed: the body is not valid UTF-8 ({exc.reason} at byte {exc.start})"
    )


def unexpected_error(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return problem(request, 500, "an unexpected error occurred; it has been logged")


_NAMED_FIELD = re.compile(r"(?:unknown|missing required) field `([^`]+)`")
_FRIENDLY = {
    "published_at": "expected an ISO 8601 date or date-time, such as 2024-10-23 or 2024-10-23T08:00:00Z",
    "id": "an id is 1-200 characters, each a letter, a digit or one of . _ : -",
}


def _field_error(error: dict[str, Any]) -> dict[str, Any]:
    """{field, message} from one of Litestar's decode errors, naming the body field itself."""
    message = str(error.get("message", "invalid value"))
    if message == "'data'":  # Litestar's KeyError text when there is no body at all
        message = "the request body is empty; send a JSON object"
    message, _, path = message.partition(" - at `")
    field = path.rstrip("`").removeprefix("$").lstrip(".") or str(error.get("key") or "")
    if field == "data" and error.get("source") == "body":
        field = ""  # Litestar names the whole body "data"
    named = _NAMED_FIELD.search(message)
    if named:
        field = ".".join(x for x in (field, named.group(1)) if x)
    leaf = field.rsplit(".", 1)[-1]
    if "matching regex" in message and leaf in _FRIENDLY:
        message = _FRIENDLY[leaf]
    return {"field": field or None, "message": message, "source": error.get("source")}


def _clean(detail: str) -> str:
    # Litestar prefixes decode errors with the handler; the client needs the reason.
    return detail.split(": ", 1)[-1] if detail.startswith("Validation failed for") else detail


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


EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    ClaimscopeError: claimscope_error,
    ValidationException: validation_error,
    HTTPException: http_error,
    UnicodeDecodeError: undecodable_body,
    RecursionError: too_deep,
    Exception: unexpected_error,
}
