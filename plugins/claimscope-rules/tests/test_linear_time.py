"""Article text is hostile: every extractor's time grows linearly with the text, whatever it holds.

Python's `re` offers no step counter and holds the interpreter lock for a whole match, so the
work proxy is CPU time of this thread (the process clock turns coarse once a profiling timer
has been armed, on the kernels we run on), compared only within one run: the same extractor on the same kind of
text at two sizes (8x apart: linear costs about 8x, quadratic 64x), and hostile text against
ordinary news text of the same size. A CPU-time alarm (SIGPROF) stops a runaway extractor at the
bound, so a quadratic pattern fails in seconds rather than running for minutes. No absolute
time is asserted anywhere.
"""

from __future__ import annotations

import gc
import itertools
import pathlib
import signal
import string
import time

import claimscope_rules.plugin
import pytest
from claimscope.models import DocumentIn
from claimscope.pipeline.hookspecs import Found
from claimscope.pipeline.manager import load_plugins
from claimscope.pipeline.runner import order
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

PLUGINS = load_plugins(entry_points=False, extra=[claimscope_rules.plugin])
EXTRACTORS = order(PLUGINS.extractors)
SMALL, LARGE = 8_000, 64_000
GROWTH = 24  # linear growth is about 8x, quadratic 64x
HOSTILE_COST = 15  # how much more than ordinary news a hostile text may cost per character
SEEDS = pathlib.Path(__file__).resolve().parents[3] / "seeds"


class Runaway(Exception):
    pass


def _fresh_names():
    for n in itertools.count(2):
        for letters in itertools.product(string.ascii_lowercase, repeat=n):
            yield "Q" + "".join(letters)


def build(motif: str, size: int) -> str:
    """`motif` repeated to `size` characters; each "{}" in it becomes a new capitalised name,
    so that "President {} said." names a different person every time."""
    if "{}" not in motif:
        return (motif * (size // len(motif) + 1))[:size]
    names, parts, total = _fresh_names(), [], 0
    while total < size:
        part = motif.replace("{}", next(names))
        parts.append(part)
        total += len(part)
    return "".join(parts)[:size]


def _stop(signum, frame):
    raise Runaway


def cpu_seconds(text: str, limits: dict[str, float] | None = None) -> dict[str, float]:
    """CPU seconds of each extractor on `text`, in pipeline order, each fed what the ones
    before it found: the least of three runs, or with `limits` as many runs as it takes to come
    under the extractor's limit (up to three; a run past the limit is stopped). An extractor
    that never comes under its limit ends the measurement: the others get no figure."""
    document = DocumentIn(id="t", text=text)
    found = Found(gazetteer=PLUGINS.gazetteer)
    seconds: dict[str, float] = {}
    previous = signal.signal(signal.SIGPROF, _stop)
    gc.disable()
    try:
        for registered in EXTRACTORS:
            limit = limits[registered.name] if limits else None
            best, result = float("inf"), None
            for _ in range(3):
                if limit is not None and best <= limit:
                    break
                if limit is not None:
                    signal.setitimer(signal.ITIMER_PROF, limit)
                started = time.thread_time()
                try:
                    result = registered.extractor.extract(document, found)
                except Runaway:
                    continue  # noise or a real runaway: the other runs say which
                finally:
                    signal.setitimer(signal.ITIMER_PROF, 0)
                best = min(best, time.thread_time() - started)
            seconds[registered.name] = best
            if result is None:
                break
            for kind in registered.extractor.produces:
                getattr(found, kind).extend(getattr(result, kind))
                if kind != "actors":
                    getattr(found, kind).sort(key=lambda item: item.start)
    finally:
        gc.enable()
        signal.signal(signal.SIGPROF, previous)
    return seconds


def assert_bounded(label: str, text: str, limits: dict[str, float], factor: float) -> None:
    seconds = cpu_seconds(text, limits)
    for name, limit in limits.items():
        cost = seconds.get(name, float("inf"))
        assert cost <= limit, f"{name} on {label}: more than {factor}x (limit {limit * 1000:.1f} ms CPU)"


def assert_linear(motif: str) -> None:
    small = cpu_seconds(build(motif, SMALL))
    limits = {name: GROWTH * value for name, value in small.items()}
    assert_bounded(f"{LARGE} characters of {motif!r}", build(motif, LARGE), limits, GROWTH)


# What articles can hold that makes a naive pattern or loop go quadratic.
ATOMS = [
    "Ab ",
    "Ab",
    "{} ",
    "A",
    "a",
    " ",
    "1",
    ",",
    ".",
    "-",
    "“",
    "”",
    '"',
    "'",
    "’",
    "(",
    ")",
    "\n",
    "said ",
    "he said, ",
    "Minister ",
    "of ",
    "the ",
    "October 3 ",
    "3,000 troops ",
    "up to ",
    "(AB) ",
    "Russia ",
    "denied ",
]


@settings(
    max_examples=8,
    derandomize=True,  # the same examples every run: a timing test must not depend on luck
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(motif=st.lists(st.sampled_from(ATOMS), min_size=1, max_size=6).map("".join))
@example(motif="Ab ")  # a run of capitalised words: name patterns re-split it at every word
@example(motif="Foreign Minister Ab Cd ")  # titles and names without end
@example(motif="Ab Cd, a senior analyst at Ef Gh ")  # appositions that never reach a verb
@example(motif="A-")  # one hyphenated word as long as the text
@example(motif="A")  # one capitalised word as long as the text
@example(motif="Ab Cd (AC) ")  # acronyms defined over and over
@example(motif="President {} {} said so. ")  # ever more people, each with a surname
@example(motif="“Ab cd ef,” he said. ")  # quotes, each searching the whole text for its sentence
@example(motif="“Ab cd,” he said ")  # quotes in one endless sentence
@example(motif="Russia said Iran denied it. ")  # sentences, each searching every mention
@example(motif="October 1 ")  # dates, each checked against every earlier one
@example(motif="1,")  # a digit-comma run
def test_extraction_time_grows_linearly_with_the_text(motif):
    assert_linear(motif)


def _ordinary(size: int) -> str:
    text = "\n".join(p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt")))
    return (text * (size // len(text) + 1))[:size]


HOSTILE = {
    "capitalised run": "Ab ",
    "digit-comma run": "1,",
    "digits and spaces": "1 ",
    "qualified numbers": "up to 1-2 to ",
    "quote marks": '"“',
    "open quotes": "“Ab cd ",
    "long word": "a",
    "nested brackets": "((((((((((",
    "speech verbs, no sentence end": "he said that ",
    "abbreviations": "Mr. ",
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_text_costs_a_bounded_multiple_of_ordinary_news(name):
    news = cpu_seconds(_ordinary(LARGE // 2))
    limits = {extractor: HOSTILE_COST * value for extractor, value in news.items()}
    assert_bounded(name, build(HOSTILE[name], LARGE // 2), limits, HOSTILE_COST)
