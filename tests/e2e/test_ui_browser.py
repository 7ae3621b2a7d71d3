"""The search pages in a real browser (Debian's chromium driven by Playwright) against a real server.

Screenshots land in tests/e2e/artifacts/ (ignored by git) for people to look at.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import httpx
import pytest

from tests.e2e.conftest import ROOT, Server

playwright = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.slow

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).parent / "artifacts"
# Flags for a headless chromium on a machine without a display, sandbox or network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
HOSTILE = {
    "id": "hostile-page",
    "title": "<script>window.__pwned = 'title'</script>Ceasefire talks",
    "source": "<b>wire</b>",
    "published_at": "2024-10-25",
    "text": (
        "Officials said <img src=x onerror=\"window.__pwned='text'\"> the ceasefire talks would resume. "
        "“<script>window.__pwned='quote'</script> We are ready,” the foreign minister said."
    ),
}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"chromium is not installed at {CHROMIUM}; .ci/run installs Debian's chromium")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    server = Server(tmp_path_factory.mktemp("ui") / "data").start()
    for path in sorted((ROOT / "seeds").glob("*.txt")):
        document = {"id": path.stem, "text": path.read_text(encoding="utf-8"), "source": "seed"}
        assert httpx.post(server.url + "/v1/documents", json=document, timeout=60).status_code == 201
    assert httpx.post(server.url + "/v1/documents", json=HOSTILE, timeout=60).status_code == 201
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser():
    with playwright.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def query_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlparse(url).query)


def test_search_tick_a_facet_and_follow_a_result_to_the_marked_document(site, page):
    page.goto(site.url + "/")
    page.get_by_label("Search claims").fill("soldiers")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**q=soldiers**")
    hits = page.locator("ol.hits li.hit")
    assert hits.count() > 0
    total = int(page.locator("p.total strong").inner_text())

    status_panel = page.locator("fieldset[data-facet=status]")
    offered = status_panel.locator("input[type=checkbox]").count()
    assert offered >= 2
    first = status_panel.locator("input[type=checkbox]").first
    status = first.get_attribute("value")
    first.check()  # htmx swaps the results and pushes the URL
    page.wait_for_url(f"**status={status}**")
    page.wait_for_function(
        "s => [...document.querySelectorAll('ol.hits li.hit .status')].every(e => e.textContent === s)",
        arg=status,
    )
    narrowed = int(page.locator("p.total strong").inner_text())
    assert 0 < narrowed <= total
    assert query_of(page.url)["status"] == [status] and query_of(page.url)["q"] == ["soldiers"]
    # OR within a facet: the other statuses stay offered with their counts, to add
    assert status_panel.locator("input[type=checkbox]").count() == offered
    shot(page, "search-with-facets")

    # the URL is the state: loading it afresh gives the same page
    fresh = page.context.new_page()
    fresh.goto(page.url)
    assert int(fresh.locator("p.total strong").inner_text()) == narrowed
    assert fresh.locator(f"fieldset[data-facet=status] input[value={status}]").is_checked()
    fresh.close()

    page.locator("ol.hits li.hit p.text a").first.click()
    page.wait_for_url("**/ui/documents/**")
    fragment = urlparse(page.url).fragment
    target = page.locator(f"[id='{fragment}']")
    assert target.count() == 1 and f"status-{status}" in (target.get_attribute("class") or "")
    document_id = urlparse(page.url).path.rsplit("/", 1)[1]
    extraction = httpx.get(f"{site.url}/v1/documents/{document_id}").json()["extraction"]
    for kind, css in (
        ("claims", "m-claim"),
        ("quotes", "m-quote"),
        ("figures", "m-figure"),
        ("dates", "m-date"),
    ):
        marked = page.locator(f".marked .{css}")
        assert marked.count() >= len(extraction[kind]), kind  # a crossing span is marked in pieces
        assert (marked.count() > 0) == bool(extraction[kind]), kind
    mentions = sum(len(a["mentions"]) for a in extraction["actors"])
    assert mentions > 0 and page.locator(".marked .m-actor").count() >= mentions
    for claim in extraction["claims"]:
        assert page.locator(f"[id='{claim['id'].rpartition(':')[2]}']").count() == 1
    assert page.locator("table.runs tbody tr").count() == len(extraction["runs"])
    shot(page, "document-marked")

    page.goto(site.url + "/?tab=quotes&source=seed")
    speaker = page.locator("ol.hits li.hit p.meta").first.inner_text().split(" · ")[0]
    page.locator("ol.hits li.hit p.text a").first.click()
    page.wait_for_url("**/ui/documents/**")
    quote = page.locator(f"[id='{urlparse(page.url).fragment}']")
    assert "m-quote" in (quote.get_attribute("class") or "")
    quote.focus()  # the speaker shows on focus, for keyboards, as on hover
    tip = page.evaluate("e => getComputedStyle(e, '::after').content", quote.element_handle())
    assert speaker in tip and quote.get_attribute("data-speaker") == speaker

    page.locator(".marked a.m-actor").first.click()
    page.wait_for_url("**/ui/actors/**")
    assert page.locator("h1").inner_text().strip()
    shot(page, "actor")


def test_a_story_shows_its_timeline_and_status(site, page):
    listed = httpx.get(f"{site.url}/v1/stories", params={"limit": 100}).json()["hits"]
    story_id = next(h["id"] for h in listed if h["item"]["claim_count"] >= 2)
    page.goto(site.url + "/?tab=stories")
    assert page.locator("nav.tabs a[aria-current=page]").inner_text() == "Stories"
    assert page.locator("ol.hits li.hit").count() >= 1
    page.goto(f"{site.url}/ui/stories/{story_id}")
    story = httpx.get(f"{site.url}/v1/stories/{story_id}").json()
    entries = page.locator("ol.timeline > li")
    assert entries.count() == len(story["timeline"]) >= 2
    assert page.locator(".current .status").inner_text() == story["current"]["status"]
    shot(page, "story")
    entries.first.locator("p.text a").click()
    page.wait_for_url("**/ui/documents/**")
    assert page.locator(f"[id='{urlparse(page.url).fragment}']").count() == 1


def test_pages_work_without_javascript(site, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site.url + "/?tab=quotes")
    assert page.locator("nav.tabs a[aria-current=page]").inner_text() == "Quotes"
    panel = page.locator("fieldset[data-facet=speaker]")
    speaker = panel.locator("input[type=checkbox]").first
    value = speaker.get_attribute("value")
    speaker.check()
    page.get_by_role("button", name="Apply filters").click()  # shown inside <noscript>
    page.wait_for_url("**speaker=**")
    assert query_of(page.url)["speaker"] == [value] and query_of(page.url)["tab"] == ["quotes"]
    assert page.locator("ol.hits li.hit").count() > 0
    page.locator("nav.tabs a", has_text="Documents").click()
    page.wait_for_url("**tab=documents**")
    assert page.locator("ol.hits li.hit p.title a").count() == 5
    context.close()


def test_keyboard_and_phone_width(site, browser):
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True)
    page = context.new_page()
    page.goto(site.url + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "q"
    page.keyboard.type("zelensk")
    page.keyboard.press("Enter")
    page.wait_for_url("**q=zelensk**")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    for checkbox in page.locator("fieldset.facet input").all():
        assert checkbox.evaluate("e => !!e.closest('label')"), "every facet value has a label"
    shot(page, "search-phone")
    context.close()


def test_text_from_documents_is_escaped_everywhere(site, page):
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    for path in ("/?tab=documents&q=ceasefire", "/?tab=claims&q=ceasefire", "/?tab=quotes&q=ready",
                 "/ui/documents/hostile-page"):  # fmt: skip
        page.goto(site.url + path)
        assert page.evaluate("window.__pwned === undefined"), path
        assert page.locator("main img").count() == 0, path
        assert page.locator("main script").count() == 0, path
    assert "<script>" in page.locator("h1").inner_text()  # shown as text, not run
    assert not dialogs


def test_with_read_keys_a_person_logs_in_once(tmp_path, browser):
    server = Server(tmp_path / "data", CLAIMSCOPE_API_KEYS="w-key", CLAIMSCOPE_READ_KEYS="r-key").start()
    try:
        context = browser.new_context()
        page = context.new_page()
        page.goto(server.url + "/?tab=documents")
        page.get_by_label("API key").fill("r-key")
        page.get_by_role("button", name="Open").click()
        page.wait_for_url("**tab=documents**")
        assert page.locator("nav.tabs a[aria-current=page]").inner_text() == "Documents"
        cookie = next(c for c in context.cookies() if c["name"] == "claimscope_key")
        assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
        assert page.evaluate("document.cookie") == ""  # no script can read the key
        page.get_by_role("button", name="Log out").click()
        page.goto(server.url + "/")
        assert page.get_by_label("API key").is_visible()
        context.close()
    finally:
        server.stop()
