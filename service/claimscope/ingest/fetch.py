"""Fetching article pages over HTTP without letting a URL reach inside the network.

Every hop (the URL and each redirect) is resolved here, each resolved address is checked by
the :class:`~claimscope.ingest.addresses.AddressPolicy`, and the connection goes to the
address that was checked: httpx is handed the IP, with the name in the Host header and as
TLS server name, so a second DNS answer can never change where the request goes.
Connections are not reused (a pooled connection would serve another name on the same IP).
"""

from __future__ import annotations

import ipaddress
import socket
import zlib
from collections.abc import Awaitable, Callable, Sequence

import anyio
import httpx
import msgspec

from claimscope import __version__
from claimscope.errors import ClaimscopeError, InvalidInput, PageUnavailable, UrlRefused
from claimscope.ingest.addresses import AddressPolicy
from claimscope.ingest.article import decode_html
from claimscope.models import DocumentIn
from claimscope.settings import Settings

USER_AGENT = f"claimscope/{__version__} (news article ingest; +https://pypi.org/project/claimscope/)"
HTML_TYPES = ("text/html", "application/xhtml+xml")
REDIRECTS = (301, 302, 303, 307, 308)
CONNECT_TIMEOUT_S = 5.0

Resolver = Callable[[str, int], Awaitable[Sequence[str]]]


class Page(msgspec.Struct, frozen=True):
    """A fetched page: where it was found in the end (after redirects) and its HTML."""

    url: str
    html: str


async def resolve(host: str, port: int) -> list[str]:
    """Every address `host` resolves to (the system resolver, off the event loop)."""
    answers = await anyio.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(sockaddr[0]).partition("%")[0] for *_, sockaddr in answers))


def needs_fetch(document: DocumentIn) -> bool:
    """A document that brings only its `url`."""
    return bool(document.url) and not document.text and document.html is None


class Fetcher:
    """Fetches pages under the settings' policy: on/off, allowed networks, time, size, redirects.

    Create it anywhere; its HTTP client is made on first use, inside the running event loop.
    """

    def __init__(
        self, settings: Settings, *, enabled: bool | None = None, resolver: Resolver = resolve
    ) -> None:
        self.enabled = settings.fetch_urls if enabled is None else enabled
        self.policy = AddressPolicy(settings.fetch_allow)
        self.timeout_s = settings.fetch_timeout_ms / 1000
        self.max_bytes = settings.max_html_bytes
        self.max_redirects = settings.fetch_max_redirects
        self.concurrency = settings.fetch_concurrency
        self.resolver = resolver
        self._client: httpx.AsyncClient | None = None
        self._slots: anyio.Semaphore | None = None

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def document(self, document: DocumentIn) -> DocumentIn:
        """`document` with the page of its `url` as `html` (and the final URL as `url`)."""
        assert document.url is not None
        page = await self.fetch(document.url)
        return msgspec.structs.replace(document, html=page.html, url=page.url)

    async def documents(self, documents: Sequence[DocumentIn]) -> list[DocumentIn | ClaimscopeError]:
        """Each document, fetched when it brings only a URL (concurrently, within the bound);
        a document whose page could not be had is replaced by the error that says why."""
        results: list[DocumentIn | ClaimscopeError] = list(documents)

        async def fetch_one(n: int, document: DocumentIn) -> None:
            try:
                results[n] = await self.document(document)
            except ClaimscopeError as exc:
                results[n] = exc

        async with anyio.create_task_group() as group:
            for n, document in enumerate(documents):
                if needs_fetch(document):
                    group.start_soon(fetch_one, n, document)
        return results

    async def fetch(self, url: str) -> Page:
        """The HTML page at `url`; UrlRefused or PageUnavailable (both 422) say why not."""
        if not self.enabled:
            raise InvalidInput(
                "this server does not fetch URLs (CLAIMSCOPE_FETCH_URLS is off): send the article as `text` or `html`",
                field="url",
            )
        if self._slots is None:
            self._slots = anyio.Semaphore(self.concurrency)
        async with self._slots:
            try:
                with anyio.fail_after(self.timeout_s):
                    return await self._follow(url)
            except (TimeoutError, httpx.TimeoutException):
                raise PageUnavailable(
                    f"{url} was not fetched within {self.timeout_s:g} s",
                    field="url",
                    url=url,
                    reason="timeout",
                ) from None
            except httpx.HTTPError as exc:  # connected, then a broken answer or a dropped line
                raise PageUnavailable(
                    f"{url} could not be read ({type(exc).__name__}: {exc})",
                    field="url",
                    url=url,
                    reason="network",
                ) from None

    async def _follow(self, url: str) -> Page:
        current = _checked_url(url, url)
        for _ in range(self.max_redirects + 1):
            response = await self._open(current, url)
            try:
                location = response.headers.get("location")
                if response.status_code in REDIRECTS and location:
                    current = _checked_url(str(current.join(location)), url)
                    continue
                return Page(url=str(current), html=await self._read(response, current, url))
            finally:
                await response.aclose()
        raise PageUnavailable(
            f"{url} redirects more than {self.max_redirects} times", field="url", url=url, reason="redirects"
        )

    async def _open(self, url: httpx.URL, asked: str) -> httpx.Response:
        """GET `url` at an address the policy allows; the response is streamed, unread."""
        host = url.raw_host.decode("ascii")
        try:
            addresses = await self.resolver(host, url.port or (443 if url.scheme == "https" else 80))
        except OSError as exc:
            raise PageUnavailable(
                f"{_hop(url, asked)}: the host {host!r} was not found ({exc.strerror or exc})",
                field="url",
                url=asked,
                reason="dns",
            ) from None
        for address in addresses:
            why = self.policy.refusal(ipaddress.ip_address(address))
            if why:
                named = f"{host} is" if host == address else f"{host} resolves to {address},"
                raise UrlRefused(
                    f"refusing to fetch {_hop(url, asked)}: {named} {why}; only public addresses are "
                    "fetched unless CLAIMSCOPE_FETCH_ALLOW lists the network",
                    field="url",
                    url=asked,
                    reason="address",
                )
        if not addresses:
            raise PageUnavailable(
                f"{_hop(url, asked)}: the host {host!r} has no address", field="url", url=asked, reason="dns"
            )
        client = self._http()
        extensions = {"sni_hostname": host} if url.scheme == "https" else {}
        headers = {"Host": url.netloc.decode("ascii")}
        error: Exception | None = None
        for address in addresses:
            request = client.build_request(
                "GET", url.copy_with(host=address), headers=headers, extensions=extensions
            )
            try:
                return await client.send(request, stream=True)
            except httpx.ConnectError as exc:  # the next address, if the name has one
                error = exc
        raise PageUnavailable(
            f"could not connect to {_hop(url, asked)} ({error})", field="url", url=asked, reason="connect"
        )

    async def _read(self, response: httpx.Response, url: httpx.URL, asked: str) -> str:
        """The page's HTML: a 200 answer, of an HTML type, within the size cap."""
        where = _hop(url, asked)
        if response.status_code != 200:
            raise PageUnavailable(
                f"{where} answered {response.status_code} {response.reason_phrase}".rstrip(),
                field="url",
                url=asked,
                reason="status",
                upstream_status=response.status_code,
            )
        media_type = response.headers.get("content-type", "").partition(";")[0].strip().lower()
        if media_type not in HTML_TYPES:
            raise PageUnavailable(
                f"{where} is {media_type or 'of no declared type'}, not an HTML page (text/html or application/xhtml+xml)",
                field="url",
                url=asked,
                reason="content-type",
            )
        body = await _bounded_body(response, self.max_bytes, where, asked)
        return decode_html(body, response.charset_encoding)

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(
                headers={
                    "User-Agent": USER_AGENT,
                    "Accept": "text/html,application/xhtml+xml;q=0.9",
                    "Accept-Encoding": "gzip",
                },
                timeout=httpx.Timeout(self.timeout_s, connect=min(CONNECT_TIMEOUT_S, self.timeout_s)),
                limits=httpx.Limits(max_connections=self.concurrency, max_keepalive_connections=0),
                follow_redirects=False,
                trust_env=False,  # no proxy from the environment: the checked address is the one reached
            )
        return self._client


def _checked_url(url: str, asked: str) -> httpx.URL:
    """`url` parsed, if it is one this service may fetch: http(s), a host, no credentials."""
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as exc:
        raise UrlRefused(
            f"{url!r} is not a valid URL ({exc})", field="url", url=asked, reason="invalid"
        ) from None
    hop = _hop(parsed, asked)
    if parsed.scheme not in ("http", "https"):
        raise UrlRefused(
            f"refusing to fetch {hop}: only http and https URLs are fetched",
            field="url",
            url=asked,
            reason="scheme",
        )
    if not parsed.host:
        raise UrlRefused(
            f"refusing to fetch {hop}: the URL names no host", field="url", url=asked, reason="invalid"
        )
    if parsed.userinfo:
        raise UrlRefused(
            f"refusing to fetch {hop}: URLs with a user name or password are not fetched",
            field="url",
            url=asked,
            reason="credentials",
        )
    return parsed.copy_with(fragment=None)


def _hop(url: httpx.URL, asked: str) -> str:
    return str(url) if str(url) == asked else f"{url} (redirected from {asked})"


async def _bounded_body(response: httpx.Response, limit: int, where: str, asked: str) -> bytes:
    """The body, decompressed, refused as soon as it passes `limit` bytes (gzip bombs too)."""

    def too_large() -> PageUnavailable:
        return PageUnavailable(
            f"{where} is larger than {limit} bytes (CLAIMSCOPE_MAX_HTML_BYTES)",
            field="url",
            url=asked,
            reason="too-large",
        )

    encoding = response.headers.get("content-encoding", "identity").strip().lower()
    if encoding not in ("identity", "gzip", "x-gzip"):
        raise PageUnavailable(
            f"{where} came in an encoding this service does not read ({encoding})",
            field="url",
            url=asked,
            reason="encoding",
        )
    declared = response.headers.get("content-length", "")
    if encoding == "identity" and declared.isdigit() and int(declared) > limit:
        raise too_large()
    inflate = zlib.decompressobj(wbits=31) if encoding != "identity" else None
    parts: list[bytes] = []
    size = 0
    async for chunk in response.aiter_raw():
        if inflate is not None:
            try:
                # max_length keeps a bomb from growing past the limit in memory
                chunk = inflate.decompress(chunk, limit + 1 - size)
            except zlib.error:
                raise PageUnavailable(
                    f"{where} sent a broken gzip body", field="url", url=asked, reason="encoding"
                ) from None
        size += len(chunk)
        if size > limit:
            raise too_large()
        parts.append(chunk)
    return b"".join(parts)
