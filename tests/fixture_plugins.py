"""Small plugins used by the tests: they implement the hooks as a third-party package would."""

from __future__ import annotations

import re
import time

import msgspec
from claimscope import hookimpl
from claimscope.models import Actor, ActorEntry, Claim, Extraction, Figure, Mention, Quote


class Extractor:
    """An extractor built from a function, for tests."""

    def __init__(self, name, produces, requires=(), version="1.0", fn=None):
        self.name, self.version = name, version
        self.produces = tuple(produces)
        self.requires = requires if isinstance(requires, str) else tuple(requires)
        self.fn = fn

    def extract(self, document, found):
        return self.fn(document, found)


def find_gazetteer_actors(document, found):
    """Every gazetteer name or demonym in the text, as mentions of its actor."""
    actors: dict[str, Actor] = {}
    for surface, entry, _kind in found.gazetteer.forms():
        for m in re.finditer(rf"\b{re.escape(surface)}\b", document.text):
            actor = actors.setdefault(entry.id, Actor(id=entry.id, name=entry.name, type=entry.type))
            actor.mentions.append(Mention(m.group(), m.start(), m.end()))
    return Extraction(actors=list(actors.values()))


def find_numbers(document, found):
    return Extraction(
        figures=[
            Figure(text=m.group(), value=float(m.group()), start=m.start(), end=m.end())
            for m in re.finditer(r"\d+", document.text)
        ]
    )


def sentence_claims(document, found):
    """Each sentence naming an actor is a claim; "confirmed" in it makes it confirmed."""
    claims = []
    for m in re.finditer(r"[^.]+\.", document.text):
        subjects = [a.id for a in found.actors if any(m.start() <= x.start < m.end() for x in a.mentions)]
        if subjects:
            status = "confirmed" if "confirmed" in m.group() else "reported"
            text = m.group().strip()
            start = document.text.index(text, m.start())
            claims.append(
                Claim(text=text, start=start, end=start + len(text), status=status, subject_ids=subjects)
            )
    return Extraction(claims=claims)


class Basic:
    """A gazetteer and three extractors, registered claims-first to prove ordering."""

    @hookimpl
    def register_actor_aliases(self, register):
        register(
            ActorEntry(name="North Korea", type="country", demonyms=["North Korean"], metonyms=["Pyongyang"])
        )
        register(
            ActorEntry(
                name="Russia", type="country", demonyms=["Russian"], metonyms=["Moscow", "the Kremlin"]
            )
        )

    @hookimpl
    def register_extractors(self, register):
        register(Extractor("fixture.claims", ["claims"], ["actors", "figures"], fn=sentence_claims))
        register(Extractor("fixture.figures", ["figures"], fn=find_numbers))
        register(Extractor("fixture.actors", ["actors"], fn=find_gazetteer_actors))


class Raising:
    @hookimpl
    def register_extractors(self, register):
        def boom(document, found):
            raise RuntimeError("boom")

        register(Extractor("fixture.raises", ["dates"], fn=boom))


class Malformed:
    @hookimpl
    def register_extractors(self, register):
        def outside(document, found):
            n = len(document.text)
            return Extraction(figures=[Figure(text="x", value=1, start=n + 5, end=n + 6)])

        def wrong_text(document, found):
            return Extraction(figures=[Figure(text="not here", value=1, start=0, end=3)])

        def wrong_type(document, found):
            return {"figures": []}

        register(Extractor("fixture.outside", ["figures"], fn=outside))
        register(Extractor("fixture.wrong-text", ["figures"], fn=wrong_text))
        register(Extractor("fixture.wrong-type", ["quotes"], fn=wrong_type))


class Slow:
    @hookimpl
    def register_extractors(self, register):
        def sleepy(document, found):
            time.sleep(2)
            return Extraction()

        register(Extractor("fixture.slow", ["quotes"], fn=sleepy))


class Cycle:
    @hookimpl
    def register_extractors(self, register):
        register(Extractor("fixture.a", ["quotes"], ["claims"], fn=lambda d, f: Extraction()))
        register(Extractor("fixture.b", ["claims"], ["quotes"], fn=lambda d, f: Extraction()))


class NeedsDates:
    @hookimpl
    def register_extractors(self, register):
        register(Extractor("fixture.needs-dates", ["claims"], ["dates"], fn=lambda d, f: Extraction()))


class Lifecycle:
    """Records startup/shutdown calls."""

    def __init__(self):
        self.calls = []

    @hookimpl
    def startup(self, settings):
        self.calls.append(("startup", settings.data_dir))

    @hookimpl
    def shutdown(self):
        self.calls.append(("shutdown",))


def find_quotes(document, found):
    """Words inside “…”; the first quote is said by Ana Costa, the others by nobody known."""
    quotes = []
    for n, m in enumerate(re.finditer(r"“([^”]*)”", document.text)):
        quote = Quote(text=m.group(1), start=m.start(1), end=m.end(1))
        if n == 0:
            quote.speaker_id, quote.speaker_name, quote.cue = "ana-costa", "Ana Costa", "said"
        quotes.append(quote)
    return Extraction(quotes=quotes)


def every_quote_by_ben(document, found):
    """A refiner: proposes Ben Ode as the speaker of every quote found before it."""
    return Extraction(
        quotes=[
            msgspec.structs.replace(q, speaker_id="ben-ode", speaker_name="Ben Ode", cue="said")
            for q in found.quotes
        ]
    )


class Refining:
    """A quotes finder and a speaker refiner, the refiner registered first."""

    @hookimpl
    def register_extractors(self, register):
        register(Extractor("fixture.speakers", ["quotes"], ["quotes"], fn=every_quote_by_ben))
        register(Extractor("fixture.quotes", ["quotes"], fn=find_quotes))


STATUS_WORDS = [("denied", "denied"), ("confirmed", "confirmed"), ("disputed", "disputed"),
                ("could not be verified", "unconfirmed")]  # fmt: skip


def newsroom_figures(document, found):
    return Extraction(
        figures=[
            Figure(
                text=m.group(),
                value=float(m.group(1).replace(",", "")),
                unit=m.group(2),
                start=m.start(),
                end=m.end(),
            )  # fmt: skip
            for m in re.finditer(r"(\d[\d,]*) (?:[A-Z]\w+ )*([a-z]+)", document.text)
        ]
    )


def newsroom_claims(document, found):
    """Each sentence naming an actor is a claim by the first actor it names, about all of them;
    its status is the first status word in it, else reported."""
    claims = []
    for m in re.finditer(r"[^.]+\.", document.text):
        named = sorted(
            (x.start, a.id) for a in found.actors for x in a.mentions if m.start() <= x.start < m.end()
        )
        if not named:
            continue
        text = m.group().strip()
        start = document.text.index(text, m.start())
        status, cue = next(((s, w) for w, s in STATUS_WORDS if w in text), ("reported", None))
        claims.append(
            Claim(
                text=text,
                start=start,
                end=start + len(text),
                status=status,
                cue=cue,
                claimant_id=named[0][1],
                subject_ids=list(dict.fromkeys(a for _, a in named)),
                figure_refs=[n for n, f in enumerate(found.figures) if start <= f.start < start + len(text)],
            )  # fmt: skip
        )
    return Extraction(claims=claims)


class Newsroom(Basic):
    """Basic's gazetteer and actors, with more countries, unit figures and claims with a status
    and a claimant (for stories)."""

    @hookimpl
    def register_actor_aliases(self, register):
        super().register_actor_aliases(register)
        register(ActorEntry(name="Ukraine", type="country", demonyms=["Ukrainian"], metonyms=["Kyiv"]))
        register(ActorEntry(name="United States", type="country", aliases=["Washington"]))
        register(ActorEntry(name="Olena Marchuk", type="person", aliases=["Marchuk"]))

    @hookimpl
    def register_extractors(self, register):
        register(Extractor("fixture.claims", ["claims"], ["actors", "figures"], fn=newsroom_claims))
        register(Extractor("fixture.figures", ["figures"], fn=newsroom_figures))
        register(Extractor("fixture.actors", ["actors"], fn=find_gazetteer_actors))
