"""index/snippets.py: whatever an engine returns, the snippet is escaped text with <mark> only."""

from __future__ import annotations

import html

from claimscope.index.snippets import MARK_END, MARK_START, strip_marks, to_html
from hypothesis import given
from hypothesis import strategies as st

PIECES = st.lists(
    st.one_of(st.text(max_size=12), st.sampled_from([MARK_START, MARK_END, "<", ">", "&", '"', "'"]))
)


def test_escapes_the_text_then_marks():
    snippet = f'<img src=x onerror="alert(1)"> {MARK_START}Kremlin{MARK_END} & co'
    assert to_html(snippet) == (
        "&lt;img src=x onerror=&quot;alert(1)&quot;&gt; <mark>Kremlin</mark> &amp; co"
    )
    assert to_html(None) is None


def test_unbalanced_sentinels_still_give_balanced_marks():
    assert to_html(f"{MARK_END}a{MARK_START}b{MARK_START}c") == "a<mark>bc</mark>"


@given(PIECES)
def test_only_mark_tags_survive_and_the_text_is_kept(pieces):
    snippet = "".join(pieces)
    out = to_html(snippet)
    bare = out.replace("<mark>", "").replace("</mark>", "")
    assert "<" not in bare and ">" not in bare and '"' not in bare
    assert html.unescape(bare) == strip_marks(snippet)
    assert out.count("<mark>") == out.count("</mark>")
    assert "<mark><mark>" not in out and "</mark></mark>" not in out
