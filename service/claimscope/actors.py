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
from typing import Literal

from claimscope.models import Actor, ActorEntry

FormKind = Literal["name", "alias", "demonym", "metonym"]

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'"})
_POSSESSIVE = re.compile(r"'s?$")
_LEADING_THE = re.compile(r"^the\s+")


def slugify(name: str) -> str:
    """A stable, URL-safe id for a name: "Volodymyr Zelenskyy" -> "volodymyr-zelenskyy"."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
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

    @property
    def entries(self) -> list[ActorEntry]:
        return list(self._by_id.values())

    def get(self, actor_id: str) -> ActorEntry | None:
        return self._by_id.get(actor_id)

    def lookup(self, surface: str) -> ActorEntry | None:
        """The entry a name, alias, demonym or metonym stands for, if any."""
        hit = self._by_form.get(normalize_name(surface))
        return hit[0] if hit else None

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
