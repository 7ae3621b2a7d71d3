"""Canonical actors: one id per real-world actor, in every document.

The :class:`Gazetteer` gathers what plugins contribute through
``register_actor_aliases``; extractors read it from ``found.gazetteer``.
:func:`canonicalize` runs after extraction and ties the actors of one document
to those already in the store, so that "Landsbergis" in a later article is the
"Gabrielius Landsbergis" met before, and every actor keeps one id.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from typing import Literal, Protocol

from claimscope.models import Actor, ActorEntry, Extraction

FormKind = Literal["name", "alias", "demonym", "metonym"]

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'"})
_POSSESSIVE = re.compile(r"'s?$")
_LEADING_THE = re.compile(r"^the\s+")


# Letters that Unicode does not decompose into an ASCII base letter.
_UNDECOMPOSABLE = str.maketrans(
    {
        "ł": "l",
        "Ł": "L",
        "ø": "o",
        "Ø": "O",
        "đ": "d",
        "Đ": "D",
        "ß": "ss",
        "æ": "ae",
        "Æ": "AE",
        "œ": "oe",
        "Œ": "OE",
        "þ": "th",
        "Þ": "Th",
        "ı": "i",
    }
)


def slugify(name: str) -> str:
    """A stable, URL-safe id for a name: "Volodymyr Zelenskyy" -> "volodymyr-zelenskyy",
    "Radosław Sikorski" -> "radoslaw-sikorski"."""
    ascii_name = (
        unicodedata.normalize("NFKD", name.translate(_UNDECOMPOSABLE)).encode("ascii", "ignore").decode()
    )
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    return slug or "actor"


def normalize_name(surface: str) -> str:
    """The form names are compared in: case-folded, no possessive, no leading "the"."""
    s = unicodedata.normalize("NFKC", surface).translate(_APOSTROPHES).casefold()
    s = " ".join(s.split())
    s = _POSSESSIVE.sub("", s)
    return _LEADING_THE.sub("", s)


class Gazetteer:
    """Every known actor and every name, demonym and metonym that means it.

    Entries with the same id are merged. Lookups are by :func:`normalize_name`.
    """

    def __init__(self, entries: Iterable[ActorEntry] = ()) -> None:
        self._by_id: dict[str, ActorEntry] = {}
        self._by_form: dict[str, tuple[ActorEntry, FormKind]] = {}
        for entry in entries:
            self.add(entry)

    def add(self, entry: ActorEntry) -> None:
        entry_id = entry.id or slugify(entry.name)
        known = self._by_id.get(entry_id)
        if known is None:
            known = ActorEntry(name=entry.name, type=entry.type, id=entry_id)
            self._by_id[entry_id] = known
        for attr in ("aliases", "demonyms", "metonyms"):
            have = getattr(known, attr)
            have.extend(x for x in getattr(entry, attr) if x not in have)
        for surface, kind in _forms(known):
            self._by_form.setdefault(normalize_name(surface), (known, kind))

    def get(self, actor_id: str) -> ActorEntry | None:
        return self._by_id.get(actor_id)

    def lookup(self, surface: str) -> ActorEntry | None:
        """The entry a name, alias, demonym or metonym stands for, if any."""
        hit = self._by_form.get(normalize_name(surface))
        return hit[0] if hit else None

    def lookup_written(self, surface: str) -> ActorEntry | None:
        """Like :meth:`lookup`, but a form the gazetteer has only in capitals matches only in
        capitals: "US" is the country, "Us" or "us" is not."""
        hit = self.lookup(surface)
        if hit is None or surface.isupper():
            return hit
        key = normalize_name(surface)
        forms = [hit.name, *hit.aliases, *hit.demonyms, *hit.metonyms]
        return None if all(f.isupper() for f in forms if normalize_name(f) == key) else hit

    def lookup_form(self, surface: str) -> tuple[ActorEntry, FormKind] | None:
        """Like :meth:`lookup`, also saying whether the surface is a name, demonym or metonym."""
        return self._by_form.get(normalize_name(surface))

    def forms(self) -> Iterator[tuple[str, ActorEntry, FormKind]]:
        """Every (surface form, entry, kind) known, for building matchers."""
        for entry in self._by_id.values():
            for surface, kind in _forms(entry):
                yield surface, entry, kind

    def __len__(self) -> int:
        return len(self._by_id)


def _forms(entry: ActorEntry) -> Iterator[tuple[str, FormKind]]:
    yield entry.name, "name"
    for alias in entry.aliases:
        yield alias, "alias"
    for demonym in entry.demonyms:
        yield demonym, "demonym"
    for metonym in entry.metonyms:
        yield metonym, "metonym"


def merge_aliases(actor: Actor, new_forms: Iterable[str]) -> bool:
    """Add the forms not yet among `actor.aliases`; True when something was added."""
    known = {normalize_name(a) for a in actor.aliases} | {normalize_name(actor.name)}
    added = False
    for form in new_forms:
        key = normalize_name(form)
        if key and key not in known:
            actor.aliases.append(form)
            known.add(key)
            added = True
    return added


class ActorTable(Protocol):
    """The store's canonical actors, as :func:`canonicalize` needs them."""

    def get(self, actor_id: str) -> Actor | None: ...

    def ids_for_alias(self, name: str) -> list[str]: ...

    def put(self, actor: Actor) -> None: ...


def canonicalize(extraction: Extraction, table: ActorTable, gazetteer: Gazetteer) -> None:
    """Give every actor of `extraction` its canonical id, name and known aliases, in place.

    A gazetteer id is authoritative. An actor the gazetteer does not know takes the
    id of the one stored actor of the same type that already has its name as an
    alias ("Landsbergis" after "Gabrielius Landsbergis"); otherwise it becomes a
    new canonical actor. Every reference (speakers, claimants, subjects, figure
    owners) follows the new ids, and the store learns the new surface forms.
    """
    renamed: dict[str, str] = {}
    merged: dict[str, Actor] = {}
    changed: set[str] = set()  # new actors, and stored ones that learn a form: written back
    for actor in extraction.actors:
        stored = table.get(actor.id)
        if stored is None and gazetteer.get(actor.id) is None:
            same_type = [
                a for i in table.ids_for_alias(actor.name) if (a := table.get(i)) and a.type == actor.type
            ]
            if len(same_type) == 1:
                stored = same_type[0]
        canonical_id = stored.id if stored else actor.id
        renamed[actor.id] = canonical_id
        into = merged.get(canonical_id)
        if into is None:
            into = Actor(
                id=canonical_id,
                name=stored.name if stored else actor.name,
                type=stored.type if stored else actor.type,
                aliases=list(stored.aliases) if stored else [],
                mentions=[],
            )
            merged[canonical_id] = into
            if stored is None:
                changed.add(canonical_id)
        if merge_aliases(into, [actor.name, *actor.aliases, *(m.text for m in actor.mentions)]):
            changed.add(canonical_id)
        into.mentions.extend(actor.mentions)
    for actor in merged.values():
        actor.mentions.sort(key=lambda m: m.start)
        if actor.id in changed:
            table.put(actor)
    extraction.actors = list(merged.values())
    _follow_renames(extraction, renamed)


def _follow_renames(extraction: Extraction, renamed: dict[str, str]) -> None:
    def new(actor_id: str | None) -> str | None:
        return renamed.get(actor_id, actor_id) if actor_id else actor_id

    for figure in extraction.figures:
        figure.actor_id = new(figure.actor_id)
    for quote in extraction.quotes:
        quote.speaker_id = new(quote.speaker_id)
    for claim in extraction.claims:
        claim.claimant_id = new(claim.claimant_id)
        claim.subject_ids = list(dict.fromkeys(renamed.get(s, s) for s in claim.subject_ids))
    for conflict in extraction.conflicts:
        for values in (conflict.kept, conflict.proposed):
            for key, value in values.items():
                if key.endswith("_id") and isinstance(value, str):
                    values[key] = new(value)
                elif key.endswith("_ids") and isinstance(value, list):
                    values[key] = list(dict.fromkeys(renamed.get(v, v) for v in value))
