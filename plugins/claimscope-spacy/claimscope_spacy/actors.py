"""spacy.actors: named entities as claimscope actors, resolved like every other actor.

spaCy's PERSON, ORG, GPE, NORP, LOC and FAC entities become actors. Each is first looked up
in the shared gazetteer (``found.gazetteer``: names, aliases, demonyms, metonyms), so "North
Korean" (NORP) is North Korea and "the Kremlin" Russia whatever spaCy calls them; then among
the actors earlier extractors found (their names, aliases and mentions). Otherwise PERSON is a
person, ORG an organization, GPE and LOC/FAC a place; a NORP the gazetteer does not know is
left out (a nationality or a party is too vague to be one actor).

Within a document, one word that is the last name of a person named in full ("Costa" and
"Ana Costa"), whatever spaCy labels it, is that person; a name whose words begin one longer
organization's name ("Samsung", "Samsung Electronics") is that organization. Entities overlapping a mention another extractor already
found are left to it: its span stands.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from claimscope.actors import normalize_name, slugify
from claimscope.models import Actor, ActorType, DocumentIn, Extraction, Mention
from claimscope.pipeline.hookspecs import Found
from spacy.tokens import Span

from claimscope_spacy import __version__
from claimscope_spacy.model import Parsed, Runtime

TYPES: dict[str, ActorType | None] = {
    "PERSON": "person",
    "ORG": "organization",
    "GPE": "place",
    "LOC": "place",
    "FAC": "place",
    "NORP": None,
}
_LEADING = {"the", "a", "an"}
MAX_NAME_WORDS = 8
_TRAILING = {"'s", "’s", "'", "’"}


@dataclass
class _Actor:
    id: str
    name: str
    type: ActorType
    spans: list[tuple[int, int]] = field(default_factory=list)


class ActorsExtractor:
    """Named entities as actors (see the module docstring)."""

    name = "spacy.actors"
    version = __version__
    produces = ("actors",)
    # Reads the actors found before it (rules.actors, when it runs) to keep their spans and ids.
    requires = ("actors",)

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def extract(self, document: DocumentIn, found: Found) -> Extraction:
        return actors_of(self.runtime.parse(document.text), found)

    def extract_many(self, documents: Sequence[DocumentIn], founds: Sequence[Found]) -> list[Extraction]:
        parsed = self.runtime.parse_many([d.text for d in documents])
        return [actors_of(p, f) for p, f in zip(parsed, founds, strict=True)]


def actors_of(parsed: Parsed, found: Found) -> Extraction:
    text = parsed.text
    taken = _Taken(found.actors)
    known = {
        normalize_name(form): _Known(a.id, a.name, a.type)
        for a in reversed(found.actors)  # the first actor with a form keeps it
        for form in [a.name, *a.aliases, *(m.text for m in a.mentions)]
    }
    actors: dict[str, _Actor] = {}
    one_word: list[tuple[int, int, str, ActorType]] = []  # resolved once every full name is known
    organizations: list[tuple[int, int, str]] = []
    for start, end, ent in parsed.entities():
        start, end = _trim(ent, start, end)
        surface = text[start:end]
        if not any(c.isupper() for c in surface) or not normalize_name(surface) or taken.overlaps(start, end):
            continue
        hit = found.gazetteer.lookup_written(surface) or known.get(normalize_name(surface))
        kind = TYPES.get(ent.label_)
        if hit is not None:
            _add(actors, hit.id or slugify(hit.name), hit.name, hit.type, start, end)
        elif kind is not None and " " not in surface:
            one_word.append((start, end, surface, kind))
        elif kind == "organization":
            organizations.append((start, end, surface))
        elif kind is not None:
            _add(actors, slugify(surface), surface, kind, start, end)
    surnames = _surnames([*found.actors, *actors.values()])
    org_names = [
        *(a.name for a in found.actors if a.type == "organization"),
        *(s for _, _, s in organizations),
    ]
    org_words = {key.split()[0] for key in map(normalize_name, org_names) if key}
    for start, end, surface, kind in one_word:
        person = surnames.get(normalize_name(surface))
        if person is not None:
            _add(actors, person.id, person.name, "person", start, end)
        elif kind == "organization" or normalize_name(surface) in org_words:
            organizations.append((start, end, surface))
        else:
            _add(actors, slugify(surface), surface, kind, start, end)
    for start, end, org in _organizations(organizations, found.actors):
        _add(actors, org.id, org.name, "organization", start, end)
    return Extraction(actors=[_to_actor(a, text) for a in actors.values()])


def _trim(ent: Span, start: int, end: int) -> tuple[int, int]:
    """The entity's span without a leading article or a trailing possessive or punctuation."""
    tokens = list(ent)
    while tokens and (tokens[0].lower_ in _LEADING or not _wordy(tokens[0].text)):
        tokens.pop(0)
    while tokens and (tokens[-1].text in _TRAILING or not _wordy(tokens[-1].text)):
        tokens.pop()
    if not tokens:
        return start, start
    offset = start - ent.start_char  # where the entity's piece of the text begins
    return offset + tokens[0].idx, offset + tokens[-1].idx + len(tokens[-1].text)


def _wordy(token: str) -> bool:
    return any(c.isalnum() for c in token)


@dataclass(frozen=True)
class _Known:
    id: str
    name: str
    type: ActorType


def _add(actors: dict[str, _Actor], actor_id: str, name: str, kind: ActorType, start: int, end: int) -> None:
    actors.setdefault(actor_id, _Actor(actor_id, name, kind)).spans.append((start, end))


def _surnames(actors: Sequence[Actor | _Actor]) -> dict[str, _Known]:
    """The last word of every person's full name, and the person (the first one named)."""
    surnames: dict[str, _Known] = {}
    for actor in actors:
        words = actor.name.split()
        if actor.type == "person" and len(words) > 1:
            surnames.setdefault(normalize_name(words[-1]), _Known(actor.id, actor.name, "person"))
    return surnames


def _organizations(
    spans: list[tuple[int, int, str]], found: list[Actor]
) -> Iterator[tuple[int, int, _Known]]:
    """Each organisation entity with its actor: one whose words begin the name of one longer
    organisation of this document is that organisation ("Samsung", "Samsung Electronics")."""
    names = {normalize_name(a.name): _Known(a.id, a.name, a.type) for a in found if a.type == "organization"}
    for _, _, surface in spans:
        names.setdefault(normalize_name(surface), _Known(slugify(surface), surface, "organization"))
    longest: dict[str, str | None] = {}  # a name -> the longest name it begins; None when two differ
    for key in sorted(names, key=len, reverse=True):
        words = key.split()
        for n in range(1, min(len(words), MAX_NAME_WORDS)):
            prefix = " ".join(words[:n])
            if prefix not in names:
                continue
            head = longest.setdefault(prefix, key)
            if head is not None and head != key and not head.startswith(key + " "):
                longest[prefix] = None
    for start, end, surface in spans:
        key = normalize_name(surface)
        yield start, end, names[longest.get(key) or key]


def _to_actor(actor: _Actor, text: str) -> Actor:
    mentions = [Mention(text[s:e], s, e) for s, e in sorted(set(actor.spans))]
    return Actor(
        id=actor.id,
        name=actor.name,
        type=actor.type,
        aliases=list(dict.fromkeys(m.text for m in mentions)),
        mentions=mentions,
    )


class _Taken:
    """The spans of mentions found before, for overlap tests in O(log n)."""

    def __init__(self, actors: list[Actor]) -> None:
        spans = sorted((m.start, m.end) for a in actors for m in a.mentions)
        self.starts = [s for s, _ in spans]
        self.ends = [e for _, e in spans]
        # the furthest end among spans starting at or before each index
        self.reach = []
        furthest = -1
        for e in self.ends:
            furthest = max(furthest, e)
            self.reach.append(furthest)

    def overlaps(self, start: int, end: int) -> bool:
        i = bisect.bisect_left(self.starts, end) - 1  # last span starting before `end`
        return i >= 0 and self.reach[i] > start
