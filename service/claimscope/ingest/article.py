"""The article in a web page: its text and metadata, extracted with trafilatura.

trafilatura finds the main text among navigation, ads, share buttons and comments, and reads
title, author, date (through htmldate) and site name from the page's markup. Its text keeps
one paragraph per line, so a page made from an article's paragraphs yields that article.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import msgspec
import trafilatura
from trafilatura.settings import set_date_params

from claimscope.errors import InvalidInput, Unprocessable
from claimscope.models import DocumentIn

# Page metadata is the page's, not the client's: cleaned and cut to the model's limits
# rather than refused.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
_TEXT_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]+")  # all but tab and newline
_LIMITS = {"title": 1000, "author": 200, "source": 200}
_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]{1,40})""", re.I)
log = logging.getLogger(__name__)
# trafilatura and htmldate warn about ordinary pages ("discarding data"): a hostile page must
# not turn into a flood of log lines.
for _name in ("trafilatura", "htmldate"):
    logging.getLogger(_name).setLevel(logging.ERROR)


class Article(msgspec.Struct, frozen=True):
    """What a page says about its article; every field but `text` may be missing."""

    text: str
    title: str | None = None
    author: str | None = None
    date: str | None = None  # YYYY-MM-DD
    site_name: str | None = None


def extract_article(html: str, *, url: str | None = None, max_elements: int = 30_000) -> Article:
    """The article in `html`; Unprocessable when the page holds none or is too large to read.

    The page's headline is left out of `text` when it is also its title (it is stored as the
    title). Dates come only from the page's markup, never guessed from its text.
    """
    if not html.strip():
        raise InvalidInput("`html` is blank", field="html")
    page = _extract(_TEXT_CONTROL.sub("", html), url, max_elements)
    text = _TEXT_CONTROL.sub("", page.text or "") if page is not None else ""
    title = _clean(page.title, "title") if page is not None else None
    if title and _starts_with_headline(page.body, title):
        text = text.partition("\n")[2]
    if not text.strip():
        raise Unprocessable("no article text found in the page", field="html")
    return Article(
        text=text,
        title=title,
        author=_clean(page.author, "author"),
        date=page.date or None,
        site_name=_clean(page.sitename, "source"),
    )


def _starts_with_headline(body: Any, title: str) -> bool:
    return len(body) > 0 and body[0].tag == "head" and _clean("".join(body[0].itertext()), "title") == title


def _extract(html: str, url: str | None, max_elements: int) -> Any:
    try:
        tree = trafilatura.load_html(html)
    except Exception as exc:  # lxml's refusal of hostile bytes is the client's problem, not a 500
        log.info("unreadable html: %r", exc)
        tree = None
    if tree is None:
        raise Unprocessable("`html` could not be read as an HTML page", field="html")
    elements = sum(1 for _ in tree.iter())
    if elements > max_elements:
        # trafilatura's work grows with the elements: the cap bounds the time a page may take.
        raise Unprocessable(
            f"the page has {elements} HTML elements; the limit is {max_elements}", field="html"
        )
    return trafilatura.bare_extraction(
        tree,
        url=url,
        with_metadata=True,
        include_comments=False,
        date_extraction_params=set_date_params(extensive=False),
    )


def with_article(document: DocumentIn, *, max_elements: int) -> DocumentIn:
    """`document` with the article of its `html` as text; title, author, date and source are
    the page's where the document does not give them."""
    assert document.html is not None
    article = extract_article(document.html, url=document.url, max_elements=max_elements)
    return msgspec.structs.replace(
        document,
        text=article.text,
        title=document.title or article.title,
        author=document.author or article.author,
        published_at=document.published_at or article.date,
        source=document.source or article.site_name,
    )


def _clean(value: str | None, field: str) -> str | None:
    if not value:
        return None
    value = " ".join(_CONTROL.sub(" ", value).split())
    return value[: _LIMITS[field]] or None


def decode_html(body: bytes, declared: str | None = None) -> str:
    """Text of an HTML body: the charset the server declares, else UTF-8, else the page's
    <meta charset>, else windows-1252 (what browsers assume)."""
    meta = _META_CHARSET.search(body[:4096])
    for charset in (declared, "utf-8", meta.group(1).decode("ascii") if meta else None):
        if not charset:
            continue
        try:
            return body.decode(charset, errors="replace" if charset is declared else "strict")
        except (LookupError, UnicodeDecodeError):
            continue
    return body.decode("cp1252", errors="replace")
