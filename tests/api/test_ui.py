"""The pages for people, through the app (the browser tests are in tests/e2e/test_ui_browser.py)."""

from __future__ import annotations

from tests.api.test_stories import CONFIRMED, DENIED, REPORTED
from tests.fixture_plugins import Newsroom

HOSTILE = {
    "id": "x1",
    "title": "<script>alert(1)</script>Talks",
    "source": "<b>wire</b>",
    "published_at": "2024-10-25",
    "text": "Moscow said <img src=x onerror=alert(2)> talks resumed. “<script>alert(3)</script>,” Russia said.",
}


def test_search_page_is_a_form_that_works_without_javascript(client):
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert '<form id="search" class="search" method="get" action="/"' in page.text
    assert '<input type="search" id="q" name="q"' in page.text and '<label for="q">' in page.text


def test_document_text_title_and_source_are_escaped(client):
    assert client.post("/v1/documents", json=HOSTILE).status_code == 201
    for path in ("/ui/documents/x1", "/?tab=documents", "/?tab=claims&q=talks", "/?tab=quotes"):
        page = client.get(path)
        assert page.status_code == 200, path
        assert "<script>alert" not in page.text and "<img src=x" not in page.text, path
        assert "<b>wire</b>" not in page.text, path
    assert "&lt;script&gt;alert(1)&lt;/script&gt;Talks" in client.get("/ui/documents/x1").text


def test_errors_on_pages_are_pages(client):
    missing = client.get("/ui/documents/nope")
    assert missing.status_code == 404 and missing.headers["content-type"].startswith("text/html")
    assert "no document with id" in missing.text
    bad = client.get("/?tab=everything")
    assert bad.status_code == 400 and bad.headers["content-type"].startswith("text/html")
    assert "tab" in bad.text
    assert client.get("/ui/actors/nobody").status_code == 404


def test_with_read_keys_the_pages_ask_for_a_key_and_keep_it_in_a_cookie(make_client):
    client = make_client(api_keys=["w-key"], read_keys=["r-key"])
    asked = client.get("/?tab=quotes&q=x")
    assert asked.status_code == 401 and '<form class="login" method="post" action="/ui/login">' in asked.text
    assert 'name="next" value="/?tab=quotes&amp;q=x"' in asked.text
    assert client.get("/ui/static/style.css").status_code == 200  # assets stay open

    wrong = client.post("/ui/login", data={"key": "nope", "next": "/"}, follow_redirects=False)
    assert (
        wrong.status_code == 401
        and "not valid" in wrong.text
        and "claimscope_key" not in wrong.headers.get("set-cookie", "")
    )
    ok = client.post("/ui/login", data={"key": "r-key", "next": "/?tab=quotes"}, follow_redirects=False)
    assert ok.status_code == 303 and ok.headers["location"] == "/?tab=quotes"
    cookie = ok.headers["set-cookie"]
    assert "claimscope_key=r-key" in cookie and "HttpOnly" in cookie and "samesite=strict" in cookie.lower()
    assert client.get("/?tab=quotes").status_code == 200  # the client now sends the cookie
    # the cookie opens the pages only: the JSON API still wants the header
    assert client.get("/v1/documents").status_code == 401

    out = client.post("/ui/logout", follow_redirects=False)
    assert out.status_code == 303 and 'claimscope_key=""' in out.headers["set-cookie"]
    client.cookies.clear()
    assert client.get("/").status_code == 401


def test_login_goes_back_only_to_this_site(make_client):
    client = make_client(read_keys=["r-key"])
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        r = client.post("/ui/login", data={"key": "r-key", "next": target}, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/", target


def test_without_read_keys_pages_are_open(make_client):
    client = make_client(api_keys=["w-key"])
    assert client.get("/").status_code == 200


def test_stories_tab_and_story_page(make_client):
    client = make_client(Newsroom())
    for doc in (REPORTED, DENIED, CONFIRMED):
        assert client.post("/v1/documents", json=doc).status_code == 201
    story_id = client.get("/v1/claims/kyiv-wire:c0").json()["story_id"]

    listed = client.get("/?tab=stories&q=soldiers")
    assert listed.status_code == 200 and f'href="/ui/stories/{story_id}"' in listed.text
    page = client.get(f"/ui/stories/{story_id}")
    assert page.status_code == 200
    timeline = page.text[page.text.index('<ol class="timeline">') :]
    # reported, then denied, then confirmed: in date order, each linked to its claim
    order = [timeline.index(f"/ui/documents/{d}#c0") for d in ("kyiv-wire", "seoul-daily", "dc-post")]
    assert order == sorted(order)
    assert '<span class="status status-confirmed">confirmed</span> <strong>now</strong>' in page.text
    assert "Figures that disagree" in page.text and "12,000" in page.text and "3,000" in page.text
    assert client.get("/ui/stories/nope").status_code == 404
