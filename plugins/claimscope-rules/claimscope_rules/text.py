"""Text helpers shared by the rule extractors: tokens, sentences, number words."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

from claimscope_rules.lexicon import ABBREVIATIONS

T = TypeVar("T")

# Words, with inner hyphens ("Kim Jong-un", "high-ranking") and dotted abbreviations ("U.S.").
TOKEN = re.compile(r"[A-Za-z](?:\.[A-Za-z])+\.?|\w+(?:-\w+)*")

_SENTENCE_END = re.compile(r"(?<![.!?])[.!?]++[\"”’')\]]*+(?=\s|$)|\n+")
_WORD_BEFORE_PERIOD = re.compile(r"([\w.]+)\.$")


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    text: str


def sentences(text: str) -> Iterator[Sentence]:
    """Sentences with exact offsets. A line break always ends one (news paragraphs); a period
    after a title, a month abbreviation, an initial or a dotted acronym ("U.S.") does not."""
    start = 0
    for match in _SENTENCE_END.finditer(text):
        if match.group().startswith(".") and _is_abbreviation(text, match.start()):
            continue
        yield from _trimmed(text, start, match.end())
        start = match.end()
    yield from _trimmed(text, start, len(text))


def _is_abbreviation(text: str, period: int) -> bool:
    word = _WORD_BEFORE_PERIOD.search(text, max(0, period - 20), period + 1)
    if not word:
        return False
    token = word.group(1).lower()
    return token in ABBREVIATIONS or len(token) == 1 or "." in token


def _trimmed(text: str, start: int, end: int) -> Iterator[Sentence]:
    chunk = text[start:end]
    stripped = chunk.strip()
    if stripped:
        offset = start + len(chunk) - len(chunk.lstrip())
        yield Sentence(offset, offset + len(stripped), stripped)


def words_before(text: str, base: int, end: int) -> Iterator[tuple[int, int, str]]:
    """The whitespace-separated words of text[base:end], last first, read lazily: callers
    stop after a few, whatever the window holds."""
    pos = end
    while pos > base:
        stop = pos
        while stop > base and text[stop - 1].isspace():
            stop -= 1
        start = stop
        while start > base and not text[start - 1].isspace():
            start -= 1
        if start == stop:
            return
        yield start, stop, text[start:stop]
        pos = start


class Spans(Generic[T]):
    """(start, end, item) triples sorted by start, found by position in logarithmic time, so
    that looking up what lies in each sentence or phrase stays linear in the text overall."""

    def __init__(self, spans: Iterable[tuple[int, int, T]]) -> None:
        self.spans = sorted(spans, key=lambda span: (span[0], span[1]))
        self.starts = [span[0] for span in self.spans]

    def starting_in(self, lo: int, hi: int) -> list[tuple[int, int, T]]:
        """The spans that start in [lo, hi), in order."""
        return self.spans[bisect.bisect_left(self.starts, lo) : bisect.bisect_left(self.starts, hi)]

    def within(self, lo: int, hi: int) -> list[tuple[int, int, T]]:
        """The spans lying wholly inside [lo, hi), in order."""
        return [span for span in self.starting_in(lo, hi) if span[1] <= hi]

    def ending_by(self, pos: int) -> Iterator[tuple[int, int, T]]:
        """The spans that end at or before `pos`, nearest first (lazily: callers stop early)."""
        for i in range(bisect.bisect_left(self.starts, pos) - 1, -1, -1):
            if self.spans[i][1] <= pos:
                yield self.spans[i]

    def at(self, pos: int) -> tuple[int, int, T] | None:
        """The last span starting at or before `pos` that still covers it (for non-overlapping spans)."""
        i = bisect.bisect_right(self.starts, pos) - 1
        return self.spans[i] if i >= 0 and pos < self.spans[i][1] else None
