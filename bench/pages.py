"""Article extraction from HTML (claimscope.ingest.article) beside an lxml parse floor.

Two parts: news pages (a synthetic article from corpus.py inside navigation, scripts, an ad,
related links, comments and a footer), and adversarial pages built to the element cap
(CLAIMSCOPE_MAX_HTML_ELEMENTS) or to the size cap (CLAIMSCOPE_MAX_HTML_BYTES) in the shapes
that cost trafilatura the most. The floor is `lxml.html.document_fromstring` on the same page:
the least any reader of the page must do. Times are CPU time of this process (one core).

Run: `python bench/pages.py [--pages 300]`.
"""

from __future__ import annotations

import argparse
import html
import random
import statistics
import time
from collections.abc import Callable
from typing import TypeVar

import lxml.html
from claimscope.errors import Unprocessable
from claimscope.ingest.article import extract_article
from claimscope.settings import Settings
from corpus import article

SETTINGS = Settings()
T = TypeVar("T")
CAP = SETTINGS.max_html_elements


def news_page(text: str, rng: random.Random) -> str:
    links = "".join(f'<li><a href="/section/{n}">Section {n}</a></li>' for n in range(60))
    paragraphs = [f"<p>{html.escape(p)}</p>" for p in text.split("\n")]
    paragraphs.insert(2, '<div class="ad-slot"><span>Advertisement</span><a href="/ad">Offer</a></div>')
    related = "".join(
        f'<li><a href="/story/{rng.randrange(10**6)}">Related story {n}</a></li>' for n in range(20)
    )
    comments = "".join(
        f'<div class="comment"><p class="author">reader{n}</p><p>Comment number {n} on this.</p></div>'
        for n in range(12)
    )
    script = "var config = {" + ",".join(f'"k{n}": {n}' for n in range(1500)) + "};"
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Story {rng.randrange(10**6)} | The Bench Gazette</title>
<meta property="og:site_name" content="The Bench Gazette"><meta name="author" content="Desk Writer">
<meta property="article:published_time" content="2024-10-23T08:00:00Z">
<style>{"body{margin:0} " * 300}</style><script>{script}</script></head><body>
<div class="cookie-banner"><p>We use cookies.</p><button>OK</button></div>
<header><nav><ul>{links}</ul></nav></header>
<main><article><h1>Story headline</h1><div class="byline">By Desk Writer</div>
{"".join(paragraphs)}
<aside class="related"><ul>{related}</ul></aside></article>
<section class="comments">{comments}</section></main>
<footer><ul>{links}</ul><p>All rights reserved.</p></footer></body></html>"""


def adversarial(elements: int, size: int) -> dict[str, str]:
    n = elements - 3  # html, head/body, and the one wrapper each shape has
    return {
        "line breaks: word<br> (at the element cap)": "<html><body><p>"
        + "word<br>" * n
        + "</p></body></html>",
        "tiny paragraphs: <p>w</p>": "<html><body><article>" + "<p>w</p>" * n + "</article></body></html>",
        "text blocks: <div>text i</div>": "<html><body>"
        + "".join(f"<div class='c'>text {i} in a block of its own.</div>" for i in range(n))
        + "</body></html>",
        "table cells": "<html><body><table>"
        + "<tr><td>a</td><td>b</td></tr>" * (n // 3)
        + "</table></body></html>",
        "links": "<html><body><div>" + '<a href="/x">link text</a> ' * n + "</div></body></html>",
        "inline spans in one paragraph": "<html><body><p>" + "<span>w</span> " * n + "</p></body></html>",
        "nested divs": "<html><body>" + "<div>" * n + "x" + "</div>" * n + "</body></html>",
        "date-like text": "<html><body>"
        + "<p>Posted 2024-10-23 08:00, updated 10/24/2024, on 25 October 2024.</p>" * n
        + "</body></html>",
        "one huge paragraph (at the size cap)": "<html><body><p>"
        + "word " * ((size - 40) // 5)
        + "</p></body></html>",
    }


def cpu(fn: Callable[[], object]) -> float:
    return timed(fn)[0]


def timed(fn: Callable[[], T]) -> tuple[float, T]:
    started = time.process_time()
    value = fn()
    return time.process_time() - started, value


def extract(page: str) -> str:
    try:
        return extract_article(page, max_elements=CAP).text
    except Unprocessable as exc:
        return f"422: {exc}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=300)
    args = parser.parse_args()
    rng = random.Random(7)
    pages = [news_page(article(rng), rng) for _ in range(args.pages)]
    mb = sum(len(p.encode()) for p in pages) / 1e6
    elements = statistics.median(sum(1 for _ in lxml.html.document_fromstring(p).iter()) for p in pages)
    floor = sum(cpu(lambda p=p: lxml.html.document_fromstring(p)) for p in pages)
    times = [cpu(lambda p=p: extract(p)) for p in pages]
    total = sum(times)
    print(
        f"news pages: {len(pages)}, {mb:.1f} MB, median {mb * 1000 / len(pages):.0f} KB and {elements:.0f} elements"
    )
    print(f"  floor (lxml parse):      {mb / floor:7.2f} MB/s  {floor * 1000 / len(pages):6.2f} ms/page")
    print(
        f"  article extraction:      {mb / total:7.2f} MB/s  {total * 1000 / len(pages):6.2f} ms/page"
        f" (p50 {statistics.median(times) * 1000:.1f}, max {max(times) * 1000:.1f})  {floor / total:.3f} of the floor"
    )
    print(f"adversarial pages ({CAP} elements or {SETTINGS.max_html_bytes} bytes):")
    for label, page in adversarial(CAP, SETTINGS.max_html_bytes).items():
        size = len(page.encode()) / 1e6
        floor = cpu(lambda page=page: lxml.html.document_fromstring(page))
        spent, text = timed(lambda page=page: extract(page))
        outcome = text[:40] if text.startswith("422") else f"{len(text)} chars"
        print(
            f"  {label:<45} {size:5.2f} MB  {spent:6.2f} s  {size / spent:6.2f} MB/s"
            f"  {floor / spent:.3f} of the floor  ({outcome})"
        )


if __name__ == "__main__":
    main()
