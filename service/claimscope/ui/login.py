"""Keys for people: when read keys are set, the pages ask for a key once and keep it in a cookie.

The cookie is HttpOnly (no script reads it) and SameSite=Strict (no other site's page sends
it), and it opens the pages only: the JSON API still takes keys in the Authorization header
alone, so a cookie can never make a cross-site write.
"""

from __future__ import annotations

from typing import Annotated

from litestar import Request, post
from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie
from litestar.enums import RequestEncodingType
from litestar.handlers.base import BaseRouteHandler
from litestar.params import Body
from litestar.response import Redirect, Template
from msgspec import Struct

from claimscope.api.auth import KeyChecker
from claimscope.errors import Unauthorized

KEY_COOKIE = "claimscope_key"


class LoginRequired(Unauthorized):
    """A page was asked for without a valid key; the answer is the login form."""


class LoginForm(Struct):
    key: str = ""
    next: str = "/"


def presented_key(connection: ASGIConnection) -> str:
    scheme, _sep, key = connection.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and key.strip():
        return key.strip()
    return connection.cookies.get(KEY_COOKIE, "")


def page_guard(keys: KeyChecker):
    """A guard for the pages: with read keys set, a valid key (header or cookie) is needed."""

    def guard(connection: ASGIConnection, _: BaseRouteHandler) -> None:
        if keys.read and keys.scope_of(presented_key(connection)) is None:
            raise LoginRequired("this service needs a key to read; enter yours below")

    return guard


def login_page(request: Request, detail: str, status: int = 401) -> Template:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return Template(
        template_name="login.html",
        context={"detail": detail, "next": safe_next(target)},
        status_code=status,
    )


def safe_next(target: str) -> str:
    """Where to go after logging in: a path on this site, never another site (//evil, \\\\evil)."""
    if not target.startswith("/") or target.startswith(("//", "/\\")) or target.startswith("/ui/log"):
        return "/"
    return target


def login_routes(keys: KeyChecker) -> list:
    @post("/ui/login", name="ui-login", include_in_schema=False, status_code=303)
    async def login(
        request: Request, data: Annotated[LoginForm, Body(media_type=RequestEncodingType.URL_ENCODED)]
    ) -> Redirect | Template:
        """Check the key; keep it in the cookie and go back to the page that asked for it."""
        if keys.scope_of(data.key.strip()) is None:
            return login_page(request, "That key is not valid.", status=401)
        cookie = Cookie(
            key=KEY_COOKIE,
            value=data.key.strip(),
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
            path="/",
        )
        return Redirect(safe_next(data.next), status_code=303, cookies=[cookie])

    @post("/ui/logout", name="ui-logout", include_in_schema=False, status_code=303)
    async def logout() -> Redirect:
        gone = Cookie(key=KEY_COOKIE, value="", max_age=0, httponly=True, samesite="strict", path="/")
        return Redirect("/", status_code=303, cookies=[gone])

    return [login, logout]
