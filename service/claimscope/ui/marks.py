"""Marks the spans an extraction found in a document's text, as nested, escaped HTML.

Spans may nest (an actor inside a quote inside a claim) or cross (a quote that runs past the
end of its sentence). HTML cannot cross, so a span that is still open when an enclosing one
closes is closed with it and reopened right after: the text reads the same and every element
is well formed. Every piece of the text is escaped; only the tags made here are markup.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from markupsafe import Markup, escape


@dataclass(frozen=True)
class Span:
    """One mark: `text[start:end]` wrapped in `<tag attrs>`.

    `layer` orders spans that start together (lower is outer: claims, then quotes, then the
    rest). `anchor` is an `id` given to the first piece only, when a span is split.
    """

    start: int
    end: int
    tag: str
    attrs: tuple[tuple[str, str], ...] = ()
    layer: int = 2
    anchor: str | None = None

    def open(self, first: bool) -> str:
        attrs = [("id", self.anchor)] if first and self.anchor else []
        attrs += self.attrs
        rendered = "".join(f' {name}="{escape(value)}"' for name, value in attrs)
        return f"<{self.tag}{rendered}>"

    def close(self) -> str:
        return f"</{self.tag}>"


def mark(text: str, spans: Iterable[Span]) -> Markup:
    """`text` as HTML with every span marked; empty or out-of-range spans are skipped."""
    ordered = sorted(
        (s for s in spans if 0 <= s.start < s.end <= len(text)),
        key=lambda s: (s.start, s.layer, -s.end),
    )
    starts = {s.start for s in ordered}
    ends = {s.end for s in ordered}
    out: list[str] = []
    stack: list[Span] = []
    position = upcoming = 0
    for boundary in sorted(starts | ends):
        out.append(escape(text[position:boundary]))
        position = boundary
        _close_ending(stack, boundary, out)
        while upcoming < len(ordered) and ordered[upcoming].start == boundary:
            out.append(ordered[upcoming].open(first=True))
            stack.append(ordered[upcoming])
            upcoming += 1
    out.append(escape(text[position:]))
    out.extend(span.close() for span in reversed(stack))
    return Markup("".join(out))


def _close_ending(stack: list[Span], boundary: int, out: list[str]) -> None:
    """Close every open span that ends at `boundary`, reopening the inner ones that go on."""
    lowest = next((n for n, span in enumerate(stack) if span.end <= boundary), None)
    if lowest is None:
        return
    popped = stack[lowest:]
    del stack[lowest:]
    out.extend(span.close() for span in reversed(popped))
    for span in popped:
        if span.end > boundary:
            out.append(span.open(first=False))
            stack.append(span)
