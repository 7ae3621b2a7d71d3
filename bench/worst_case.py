"""Worst-case extraction: every extractor over adversarial texts, in MB/s of CPU time.

Article text is hostile, so each extractor must stay linear in the text whatever it holds:
runs of capitalised words, digit-comma runs, quote marks, text with no sentence end, nested
brackets, one long "word", speech verbs without a speaker. Each adversarial text is built at
each size (default 100 KB and 500 KB) and every extractor is timed alone (CPU time of this
process, on what the extractors before it found), then the whole pipeline; the ordinary
corpus of bench/extract.py is measured the same way beside them, and a regex floor (one
compiled pass over the same text) gives the scale of the machine in this run.

Run: `python bench/worst_case.py [--kb 100 500] [--only NAME...]`. Target: >= 0.2 MB/s everywhere.
"""

from __future__ import annotations

import argparse
import itertools
import re
import string
import time
from collections.abc import Callable

from claimscope.models import DocumentIn
from claimscope.pipeline.hookspecs import Found
from claimscope.pipeline.manager import load_plugins
from claimscope.pipeline.runner import order
from corpus import corpus

FLOOR = re.compile(r"\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+)*|\d[\d,.]*")


def _names() -> itertools.count:
    """Distinct capitalised words: Ba, Ca, ..., Bab, ... (never a gazetteer name)."""
    letters = string.ascii_lowercase
    for n in itertools.count(2):
        for tail in itertools.product(letters, repeat=n - 1):
            yield "Z" + "".join(tail)


def _distinct(template: str) -> Callable[[int], str]:
    """A text repeating `template` with fresh names in {0} and {1}, up to `size` characters."""

    def build(size: int) -> str:
        names = _names()
        parts, total = [], 0
        while total < size:
            part = template.format(next(names), next(names))
            parts.append(part)
            total += len(part)
        return "".join(parts)[:size]

    return build


def _repeat(motif: str) -> Callable[[int], str]:
    return lambda size: (motif * (size // len(motif) + 1))[:size]


def _nested(size: int) -> str:
    half = size // 2
    return "(" * half + ")" * (size - half)


# name -> text of about `size` characters
TEXTS: dict[str, Callable[[int], str]] = {
    "capitalised run": _repeat("Ab "),
    "capitalised, commas": _repeat("Ab, "),
    "apposition, no verb": _repeat("Ab Cd, a senior analyst at Ef Gh Ij "),
    "titles and names": _repeat("Foreign Minister Ab Cd "),
    "distinct people": _distinct("President {0} {1} said so. {1} agreed. "),
    "digit-comma run": _repeat("1,"),
    "digits and spaces": _repeat("1 "),
    "digits and units": _repeat("3,000 troops "),
    "digit groups": _repeat("100 200 "),
    "rates out of a whole": _repeat("1 out of every 2 "),
    "compound ages": _repeat("a 5-year-old "),
    "number ranges": _repeat("1-2 to "),
    "straight quote marks": _repeat('"'),
    "curly quote marks": _repeat("“"),
    "open quotes": _repeat("“Ab cd "),
    "quotes and speech": _repeat("“Ab cd ef,” he said. "),
    "single quotes": _repeat(" 'a"),
    "no sentence end": _repeat("the minister said that the report was confirmed by officials "),
    "speech verbs": _repeat("said "),
    "nested brackets": _nested,
    "bracketed acronyms": _repeat("Ab Cd (AC) "),
    "long word": _repeat("a"),
    "long capital word": _repeat("A"),
    "hyphenated run": _repeat("A-"),
    "periods": _repeat("."),
    "abbreviations": _repeat("Mr. "),
    "line breaks": _repeat("\n"),
    "spaces": _repeat(" "),
    "months and days": _repeat("October 1 "),
    "organisation heads": _repeat("Ministry of "),
    "sentences with actors": _repeat("Russia said Iran denied it. "),
}


def _cpu(fn: Callable[[], object]) -> float:
    started = time.process_time()
    fn()
    return time.process_time() - started


def measure(text: str, extractors, gazetteer) -> dict[str, float]:
    """CPU seconds of each extractor alone (fed what the ones before it found) and in total."""
    document = DocumentIn(id="w", text=text)
    found = Found(gazetteer=gazetteer)
    seconds: dict[str, float] = {}
    for registered in extractors:
        result = None

        def run(registered=registered):
            nonlocal result
            result = registered.extractor.extract(document, found)

        seconds[registered.name] = _cpu(run)
        for kind in registered.extractor.produces:
            getattr(found, kind).extend(getattr(result, kind))
            if kind != "actors":
                getattr(found, kind).sort(key=lambda item: item.start)
    seconds["pipeline"] = sum(seconds.values())
    seconds["floor"] = _cpu(lambda: sum(1 for _ in FLOOR.finditer(text)))
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--kb", type=int, nargs="+", default=[100, 500])
    parser.add_argument("--only", nargs="*", help="names of adversarial texts to run")
    parser.add_argument("--corpus-mb", type=float, default=1.0)
    args = parser.parse_args()
    plugins = load_plugins(entry_points=True)
    extractors = order([r for r in plugins.extractors if r.name.startswith("rules.")])
    columns = [r.name for r in extractors] + ["pipeline"]
    header = f"| text | KB | {' | '.join(columns)} | floor |"
    print("MB/s of CPU time (higher is better); floor = one compiled regex pass")
    print(header)
    print("|---|---:|" + "---:|" * (len(columns) + 1))
    worst = {c: float("inf") for c in columns}

    def row(label: str, kb: float, seconds: dict[str, float], size_mb: float) -> None:
        rates = {c: size_mb / max(seconds[c], 1e-6) for c in [*columns, "floor"]}
        cells = " | ".join(f"{rates[c]:.2f}" for c in [*columns, "floor"])
        print(f"| {label} | {kb:g} | {cells} |", flush=True)
        return rates

    articles = corpus(args.corpus_mb)
    total: dict[str, float] = {}
    for text in articles:
        for name, value in measure(text, extractors, plugins.gazetteer).items():
            total[name] = total.get(name, 0.0) + value
    size = sum(len(a.encode()) for a in articles) / 1e6
    row("ordinary corpus (bench/corpus.py)", round(size * 1000), total, size)
    for name, build in TEXTS.items():
        if args.only and name not in args.only:
            continue
        for kb in args.kb:
            text = build(kb * 1000)
            size_mb = len(text.encode()) / 1e6
            rates = row(name, kb, measure(text, extractors, plugins.gazetteer), size_mb)
            for c in columns:
                worst[c] = min(worst[c], rates[c])
    print("| **slowest adversarial** | | " + " | ".join(f"**{worst[c]:.2f}**" for c in columns) + " | |")


if __name__ == "__main__":
    main()
