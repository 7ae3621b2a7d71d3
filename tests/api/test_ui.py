"""The pages for people, through the app (the browser tests are in tests/e2e/test_ui_browser.py)."""

from __future__ import annotations

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
