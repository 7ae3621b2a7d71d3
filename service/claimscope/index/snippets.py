"""Search snippets as safe HTML, made the same way by every index backend.

Article text is hostile: a snippet that carried it verbatim beside ``<mark>`` tags would let
an article inject markup into any page that renders hits, or forge highlights. So a backend
never asks its engine for HTML. Instead:

1. the text it indexes goes through :func:`strip_marks` (``items_of`` does this for every
   backend), so no article can contain the two sentinel characters below;
2. it asks the engine to wrap each match in :data:`MARK_START` … :data:`MARK_END`
   (FTS5 ``snippet()``, Meilisearch ``highlightPreTag``/``highlightPostTag``, tantivy's
   highlighter ranges);
3. it passes the engine's snippet to :func:`to_html`, which escapes all of the text and only
   then turns the sentinels into ``<mark>`` and ``</mark>``.

The result is HTML-escaped text in which ``<mark>…</mark>`` is the only markup.
"""

from __future__ import annotations

import html
import re

# Private-use code points: no meaning in any text, never produced by a tokenizer or engine.
MARK_START = "\ue000"
MARK_END = "\ue001"
_SENTINELS = re.compile(f"([{MARK_START}{MARK_END}])")


def strip_marks(text: str) -> str:
    """`text` without the sentinel characters: apply to whatever a backend indexes."""
    if MARK_START not in text and MARK_END not in text:
        return text  # the usual case, and 50x faster than str.translate on non-ASCII text
    return text.replace(MARK_START, "").replace(MARK_END, "")


def to_html(snippet: str | None) -> str | None:
    """Safe HTML from an engine's snippet: the text escaped, the sentinel-marked matches in
    ``<mark>…</mark>``. Marks come out balanced and unnested whatever the input holds."""
    if snippet is None:
        return None
    out: list[str] = []
    marking = False
    # split keeps the sentinels: text at even places, a sentinel at odd ones (in C, not a
    # Python loop over every character: 20 snippets took 0.15 ms that way)
    for n, part in enumerate(_SENTINELS.split(snippet)):
        if n % 2 == 0:
            out.append(html.escape(part))
        elif part == MARK_START and not marking:
            out.append("<mark>")
            marking = True
        elif part == MARK_END and marking:
            out.append("</mark>")
            marking = False
    if marking:
        out.append("</mark>")
    return "".join(out)
