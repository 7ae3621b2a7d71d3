"""Documents sent as a URL: fetched from a local site under the fetch policy, or refused."""

from __future__ import annotations

import socket
import threading
import time
from urllib.parse import quote

import anyio
import pytest
from claimscope.ingest.fetch import Fetcher
from claimscope.settings import SettingsError, load_settings

from tests.ingest.site import ARTICLE_TEXT, TITLE

LOCAL = ["127.0.0.1/32"]


def post_url(client, url, **extra):
    return client.post("/v1/documents", json={"url": url, **extra})


def assert_problem(r, status, reason, *words):
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    problem = r.json()
    assert problem["reason"] == reason and problem["field"] == "url"
    for word in words:
        assert word in problem["detail"]
    return problem


def test_urls_are_not_fetched_unless_the_setting_says_so(client, site):
    before = len(site.requests)
    r = post_url(client, f"{site.url}/article")
    assert r.status_code == 400 and "CLAIMSCOPE_FETCH_URLS" in r.json()["detail"]
    assert len(site.requests) == before


def test_a_url_is_fetched_and_its_article_stored(make_client, site):
    client = make_client(fetch_urls=True, fetch_allow=LOCAL)
    r = post_url(client, f"{site.url}/article", source="ledger")
    assert r.status_code == 201, r.text
    doc = r.json()
    assert doc["text"] == ARTICLE_TEXT and doc["title"] == TITLE and doc["source"] == "ledger"
    assert doc["url"] == f"{site.url}/article" and doc["html_hash"]
    path, headers = site.requests[-1]
    assert path == "/article" and headers["User-Agent"].startswith("claimscope/")
    assert headers["Host"] == site.url.removeprefix("http://")


def test_the_same_url_is_idempotent_and_a_changed_page_a_conflict(make_client, site):
    client = make_client(fetch_urls=True, fetch_allow=LOCAL)
    first = post_url(client, f"{site.url}/article")
    again = post_url(client, f"{site.url}/article")
    assert (first.status_code, again.status_code) == (201, 200) and again.json() == first.json()
    # any URL that lands on the same page is the same document
    assert post_url(client, f"{site.url}/hop/2").json()["id"] == first.json()["id"]

    assert post_url(client, f"{site.url}/changing").status_code == 201
    changed = post_url(client, f"{site.url}/changing")
    assert changed.status_code == 409 and "PUT" in changed.json()["detail"]


def test_redirects_are_followed_within_the_bound(make_client, site):
    client = make_client(fetch_urls=True, fetch_allow=LOCAL, fetch_max_redirects=3)
    doc = post_url(client, f"{site.url}/hop/3").json()
    assert doc["url"] == f"{site.url}/article" and doc["text"] == ARTICLE_TEXT
    assert_problem(post_url(client, f"{site.url}/hop/4"), 422, "redirects", "more than 3 times")
    assert_problem(post_url(client, f"{site.url}/loop"), 422, "redirects")


@pytest.mark.parametrize(
    ("path", "reason", "words"),
    [
        ("/big", "too-large", "larger than 32768 bytes"),
        ("/big-chunked", "too-large", "larger than 32768 bytes"),
        ("/bomb", "too-large", "larger than 32768 bytes"),
        ("/pdf", "content-type", "application/pdf, not an HTML page"),
        ("/json", "content-type", "application/json"),
        ("/untyped", "content-type", "of no declared type"),
        ("/missing", "status", "answered 404 Not Found"),
        ("/cut", "network", "could not be read"),
        ("/garbage", "network", "could not be read"),
    ],
)
def test_pages_that_are_too_big_broken_or_not_html_are_refused(make_client, site, path, reason, words):
    client = make_client(fetch_urls=True, fetch_allow=LOCAL, max_html_bytes=32 * 1024)
    assert_problem(post_url(client, site.url + path), 422, reason, words, site.url + path)
    assert client.get("/v1/documents").json()["items"] == []


def test_a_slow_page_is_cut_off_and_the_service_keeps_answering(make_client, site):
    client = make_client(fetch_urls=True, fetch_allow=LOCAL, fetch_timeout_ms=1500)
    result = {}

    def fetch_slow():
        started = time.monotonic()
        result["response"] = post_url(client, f"{site.url}/slow")
        result["seconds"] = time.monotonic() - started

    worker = threading.Thread(target=fetch_slow)
    worker.start()
    time.sleep(0.3)
    health = []
    while worker.is_alive():  # the fetch waits on the network, not on the event loop
        started = time.monotonic()
        assert client.get("/health").status_code == 200
        health.append(time.monotonic() - started)
        time.sleep(0.1)
    worker.join()
    assert_problem(result["response"], 422, "timeout", "not fetched within 1.5 s")
    assert result["seconds"] < 10
    assert len(health) >= 3 and max(health) < 1.0


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("http://127.0.0.1:{port}/article", "127.0.0.1 is a loopback address"),
        ("http://10.0.0.1/article", "10.0.0.1 is a private address"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a cloud metadata address"),
        ("http://localhost:{port}/article", "a loopback address"),
        ("http://[::1]:{port}/article", "::1 is a loopback address"),
        ("http://2130706433:{port}/article", "resolves to 127.0.0.1, a loopback address"),
        ("http://[::ffff:10.0.0.1]/", "a private address"),
        ("http://0.0.0.0:{port}/article", "an unspecified address"),
    ],
)
def test_private_targets_are_refused_without_a_request(make_client, site, url, kind):
    client = make_client(fetch_urls=True)
    before = len(site.requests)
    url = url.format(port=site.server_address[1])
    problem = assert_problem(post_url(client, url), 422, "address", kind, "CLAIMSCOPE_FETCH_ALLOW")
    assert problem["title"] == "URL refused" and problem["url"] == url
    assert len(site.requests) == before


@pytest.mark.parametrize(
    "target",
    ["http://127.0.0.1:{port}/article", "http://10.0.0.1/", "http://169.254.169.254/latest/meta-data/"],
)
def test_redirects_to_private_targets_are_refused(make_client, site, other_site, target):
    """The site on 127.0.0.2 is allowed; where it redirects is checked again."""
    client = make_client(fetch_urls=True, fetch_allow=["127.0.0.2/32"])
    target = target.format(port=site.server_address[1])
    before = len(site.requests)
    url = f"{other_site.url}/to?url={quote(target)}"
    assert_problem(
        post_url(client, url), 422, "address", f"refusing to fetch {target}", f"redirected from {url}"
    )
    assert len(site.requests) == before


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("file:///etc/passwd", "scheme"),
        ("ftp://127.0.0.1/article", "scheme"),
        ("http://user:secret@127.0.0.1/article", "credentials"),
        ("http:///article", "invalid"),
    ],
)
def test_only_plain_http_urls_are_fetched(make_client, site, url, reason):
    client = make_client(fetch_urls=True, fetch_allow=LOCAL)
    assert_problem(post_url(client, url), 422, reason)
    redirected = post_url(client, f"{site.url}/to?url={quote('file:///etc/passwd')}")
    assert_problem(redirected, 422, "scheme", "only http and https")


def test_a_batch_fetches_its_urls_and_reports_each(make_client, site):
    client = make_client(fetch_urls=True, fetch_allow=LOCAL)
    r = client.post(
        "/v1/documents:batch",
        json={
            "documents": [
                {"url": f"{site.url}/article"},
                {"text": "A plain article."},
                {"url": f"{site.url}/pdf"},
                {"url": "http://10.0.0.1/"},
                {"url": f"{site.url}/seed/001_4c8b468883f66ce7"},
            ]
        },
    )
    assert r.status_code == 200
    items = r.json()["items"]
    assert [i["status"] for i in items] == [201, 201, 422, 422, 201]
    assert items[0]["document"]["text"] == ARTICLE_TEXT
    assert items[2]["error"]["reason"] == "content-type" and items[3]["error"]["reason"] == "address"
    assert items[4]["document"]["url"].endswith("/seed/001_4c8b468883f66ce7")


def test_fetch_allow_must_name_networks():
    with pytest.raises(SettingsError, match="CLAIMSCOPE_FETCH_ALLOW: 'intranet' is not a network"):
        load_settings({"CLAIMSCOPE_FETCH_ALLOW": "10.0.0.0/8,intranet"})


def test_the_connection_goes_to_the_address_that_was_checked(site):
    """No DNS-rebinding window: the host is resolved once per hop, by the fetcher, and the
    request goes to that address (a second answer, pointing inward, is never asked for)."""
    answers = iter([["127.0.0.1"], ["10.0.0.1"]])
    asked = []

    async def resolver(host, port):
        asked.append(host)
        return next(answers)

    async def fetch():
        fetcher = Fetcher(load_settings({}, fetch_allow=LOCAL), enabled=True, resolver=resolver)
        try:
            return await fetcher.fetch(f"http://news.rebind.test:{site.server_address[1]}/article")
        finally:
            await fetcher.aclose()

    page = anyio.run(fetch)
    assert asked == ["news.rebind.test"] and TITLE in page.html
    assert site.requests[-1][1]["Host"] == f"news.rebind.test:{site.server_address[1]}"


def test_a_closed_port_is_a_connect_problem(make_client):
    client = make_client(fetch_urls=True, fetch_allow=LOCAL)
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{probe.getsockname()[1]}/article"
    assert_problem(post_url(client, url), 422, "connect", f"could not connect to {url}")
