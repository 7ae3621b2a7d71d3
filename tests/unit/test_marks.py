"""Marks on a document's text: always well-formed HTML that reads as the text itself."""

from __future__ import annotations

from html.parser import HTMLParser

from claimscope.ui.marks import Span, mark
from hypothesis import given
from hypothesis import strategies as st

VOID = {"br", "img"}


class Reader(HTMLParser):
    """Collects the text and checks every tag closes in order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.open: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.open.append(tag)
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        assert self.open and self.open[-1] == tag, f"</{tag}> closes {self.open}"
        self.open.pop()

    def handle_data(self, data):
        self.text.append(data)


def read(html: str) -> Reader:
    reader = Reader()
    reader.feed(html)
    reader.close()
    assert not reader.open, f"left open: {reader.open}"
    return reader


@st.composite
def marked_texts(draw):
    text = draw(st.text(alphabet="ab <>&\"'“”\n", max_size=60))
    spans = []
    for _ in range(draw(st.integers(0, 8))):
        start = draw(st.integers(0, len(text)))
        end = draw(st.integers(start, len(text)))
        spans.append(
            Span(start, end, draw(st.sampled_from(["span", "a", "time"])), (("class", "k"),),
                 layer=draw(st.integers(0, 2)), anchor=draw(st.sampled_from([None, "c1"])))
        )  # fmt: skip
    return text, spans


@given(marked_texts())
def test_marked_text_reads_as_the_text_and_nests(case):
    text, spans = case
    reader = read(mark(text, spans))
    assert "".join(reader.text) == text
    nonempty = [s for s in spans if s.start < s.end]
    assert len(reader.tags) >= len(nonempty)  # a crossing span comes in pieces, never lost


def test_a_span_crossing_the_end_of_another_is_closed_and_reopened():
    text = "one two three"
    html = mark(text, [Span(0, 7, "span", (("class", "claim"),), layer=0, anchor="c0"),
                       Span(4, 13, "em", layer=1)])  # fmt: skip
    assert html == '<span id="c0" class="claim">one <em>two</em></span><em> three</em>'


def test_text_and_attributes_are_escaped():
    html = mark('<script>alert("x")</script>', [Span(0, 8, "a", (("title", '"><img src=x>'),))])
    assert "<script>" not in html and "<img" not in html
    assert read(html).tags == [("a", {"title": '"><img src=x>'})]
