"""The claimscope plugin contract: everything a plugin author needs is in this file.

A plugin is a Python module registered under the ``claimscope`` entry-point group::

    # pyproject.toml of your package
    [project.entry-points.claimscope]
    my_plugin = "my_package.plugin"

and implements one or more of the hooks below with ``@claimscope.hookimpl``.
Declare only the hook arguments you use: pluggy passes just those, so new
arguments added later never break an old plugin.

An **extractor** is any object with these attributes and method:

``name``
    Unique, dotted: ``"rules.quotes"``. Settings enable or disable it by this name.
``version``
    A string recorded with every run (``"1.0.0"``).
``produces``
    Which kinds it returns, a subset of ``actors, dates, figures, quotes, claims``.
``requires``
    Which kinds it reads from ``found``; it runs after every extractor producing them.
``extract(document, found) -> Extraction``
    ``document`` is a :class:`claimscope.models.DocumentIn` whose ``id`` is set.
    ``found`` is a :class:`Found` with what earlier extractors returned.
    Return a :class:`claimscope.models.Extraction` filled only in the kinds it
    produces. Every span must lie inside ``document.text`` with
    ``text[start:end] == span.text``; figure indexes in ``Claim.figure_refs``
    point into ``found.figures``. Leave ``id`` of quotes and claims empty: the
    service assigns them.

``extract_many(documents, founds) -> list[Extraction]`` (optional)
    The same for several documents at once (a batch, ``POST /v1/documents:batch``
    or ``claimscope ingest``): ``founds[i]`` belongs to ``documents[i]``, and the
    result has one Extraction per document, in order. Define it when one call over
    many documents is cheaper than many calls (``nlp.pipe`` in spaCy); without it,
    ``extract`` is called per document. Its budget is the per-document budget times
    the number of documents.

An extractor that raises, or returns something that breaks these rules, is
recorded as a failed run (``ExtractorRun.ok = False`` with the error) and the
document is stored with what the other extractors found.

**Merging.** Extractors run in order (each after the producers of what it
requires; ties in registration order) and what each returns joins ``found``:

- Actors merge by ``id``: mentions at new spans and new aliases are added to the
  actor already found.
- Any other item at a new span (``start``, ``end``) is added.
- An item at the span of one already found *refines* it: each field the found
  item leaves empty (``None``, ``""``, ``[]``) takes the new value; a field set
  on both sides to different values keeps the value found first, and the
  difference is recorded as a :class:`claimscope.models.Conflict` in the
  document's ``extraction.conflicts``, naming the extractor that proposed it.

So an extractor that improves another's items (fills the speaker of quotes
found without one, say) ``requires`` that kind, so it runs after its
producers, ``produces`` it too, and returns a copy of each item it improves
(``msgspec.structs.replace(quote, speaker_id=...)``) with the fields it is
sure of; items it has nothing to add to are best left out. Never change the
objects in ``found``: the runner would not see a conflict.

**Where extractors run.** In extraction worker processes
(``CLAIMSCOPE_EXTRACTION_WORKERS``, one per core by default), each of which loads
the plugins itself: keep state in the extractor or in ``startup``, never in the
service's process. A call gets ``CLAIMSCOPE_EXTRACTOR_TIMEOUT_MS`` from the
moment it starts; past that its worker is killed and the run records ``timed
out``. An extractor that times out on several documents in a row is switched
off for a cool-down (its runs record ``skipped: circuit open``) and tried again
later.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import pluggy
from msgspec import Struct

from claimscope.models import (
    Actor,
    ActorEntry,
    Claim,
    Conflict,
    DateMention,
    DocumentIn,
    Extraction,
    Figure,
    Quote,
)

if TYPE_CHECKING:
    from claimscope.actors import Gazetteer

PROJECT = "claimscope"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@runtime_checkable
class Extractor(Protocol):
    """What ``register_extractors`` accepts (see the module docstring)."""

    name: str
    version: str
    produces: frozenset[str] | tuple[str, ...] | list[str]
    requires: frozenset[str] | tuple[str, ...] | list[str]

    def extract(self, document: DocumentIn, found: Found) -> Extraction: ...


class BatchExtractor(Extractor, Protocol):
    """An extractor that also takes several documents in one call (``extract_many`` above)."""

    def extract_many(self, documents: list[DocumentIn], founds: list[Found]) -> list[Extraction]: ...


@dataclass
class Found:
    """What earlier extractors found in this document, plus the shared gazetteer.

    Lists are in text order. ``gazetteer`` holds every entry contributed through
    ``register_actor_aliases`` (see :class:`claimscope.actors.Gazetteer`);
    ``conflicts`` what refinements disagreed on so far (see Merging above).
    """

    gazetteer: Gazetteer
    actors: list[Actor] = field(default_factory=list)
    dates: list[DateMention] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)


@hookspec
def register_extractors(register: Callable[[Extractor], None]) -> None:
    """Add extractors to the pipeline.

    Called once when the service (or the CLI) loads its plugins. Call
    ``register(extractor)`` once per extractor; zero calls is fine. The host
    checks each object as it arrives and raises a ``PluginError`` naming your
    plugin if ``name``, ``version``, ``produces`` or ``requires`` is wrong, or
    if the name is already taken. Return value: ignored.
    """


@hookspec
def register_actor_aliases(register: Callable[[ActorEntry], None]) -> None:
    """Contribute gazetteer entries: canonical actors and the names that mean them.

    Called once at load time. Call ``register(ActorEntry(...))`` per actor.
    Entries with the same id (the slug of the name unless given) are merged:
    their aliases, demonyms and metonyms are added up, so a plugin can add a
    spelling variant to an actor another plugin defined. Return value: ignored.
    """


@hookspec
def register_settings(register: Callable[[str, type[Struct]], None]) -> None:
    """Declare your plugin's settings.

    Called once at load time. Call ``register(prefix, YourSettings)`` with a
    ``msgspec.Struct`` whose fields all have defaults; each field is read from
    ``CLAIMSCOPE_<PREFIX>_<FIELD>`` (``register("spacy", SpacySettings)`` reads
    ``model`` from ``CLAIMSCOPE_SPACY_MODEL``; lists are comma-separated). The
    service converts and checks them as it does its own (a bad value stops
    start-up naming the variable), refuses ``CLAIMSCOPE_*`` variables that
    nobody declared, and hands you the Struct in ``startup`` as
    ``settings.plugins[prefix]``. Return value: ignored.
    """


@hookspec
def startup(settings: Any) -> None:
    """Called once per process that runs extractors, after plugins are loaded:
    each extraction worker as it starts (or the service's own process when
    ``CLAIMSCOPE_EXTRACTION_WORKERS=0``), so a model loaded here is loaded once
    per worker.

    ``settings`` is the service's :class:`claimscope.settings.Settings`, with
    your declared settings in ``settings.plugins``; ``settings.extractor_enabled(name)``
    says whether one of your extractors runs. Open resources (models,
    connections) here rather than at import time or in ``extract``. Return
    value: ignored. An exception stops start-up with a one-line error naming
    your plugin and the exception's message: make that message say what to do.
    """


@hookspec
def shutdown() -> None:
    """Called once in each process where ``startup`` ran, when it stops: release what
    ``startup`` opened."""
