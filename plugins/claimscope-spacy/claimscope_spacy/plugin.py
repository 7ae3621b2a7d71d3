"""Hook implementations: the spaCy plugin's settings, extractors and model.

One model per process (``RUNTIME``), loaded in ``startup`` with the components the enabled
extractors need; the extractors share it and its recent parses.
"""

from __future__ import annotations

from claimscope import hookimpl

from claimscope_spacy.actors import ActorsExtractor
from claimscope_spacy.model import COMPONENTS, Runtime, SpacySettings
from claimscope_spacy.speakers import SpeakersExtractor

PREFIX = "spacy"  # CLAIMSCOPE_SPACY_*
RUNTIME = Runtime()


@hookimpl
def register_settings(register):
    register(PREFIX, SpacySettings)


@hookimpl
def register_extractors(register):
    register(ActorsExtractor(RUNTIME))
    register(SpeakersExtractor(RUNTIME))


@hookimpl
def startup(settings):
    needed = {c for name, parts in COMPONENTS.items() if settings.extractor_enabled(name) for c in parts}
    if needed:
        RUNTIME.start(settings.plugins[PREFIX], needed)


@hookimpl
def shutdown():
    RUNTIME.forget()
