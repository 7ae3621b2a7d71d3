"""The spaCy plugin under test, loaded alone through claimscope.testing (the rules need not be
installed), with a small gazetteer and a quotes finder standing in for other plugins."""

from __future__ import annotations

import re

import claimscope_spacy.plugin
import pytest
from claimscope import hookimpl
from claimscope.models import ActorEntry, Extraction, Quote
from claimscope.testing import started


class Names:
    """A gazetteer as another plugin would contribute it."""

    @hookimpl
    def register_actor_aliases(self, register):
        register(ActorEntry(name="Norway", type="country", demonyms=["Norwegian"], metonyms=["Oslo"]))
        register(ActorEntry(name="European Union", type="organization", aliases=["EU"]))


class FindQuotes:
    """test.quotes: the words inside “…”, without speakers: what spacy.speakers refines."""

    name = "test.quotes"
    version = "1"
    produces = ("quotes",)
    requires = ()

    def extract(self, document, found):
        return Extraction(
            quotes=[
                Quote(text=m.group(1), start=m.start(1), end=m.end(1))
                for m in re.finditer(r"“([^”]*)”", document.text)
            ]
        )


class Quotes:
    @hookimpl
    def register_extractors(self, register):
        register(FindQuotes())


@pytest.fixture(scope="session")
def plugins():
    """The spaCy plugin started with its default model, beside the gazetteer and quotes finder."""
    with started(claimscope_spacy.plugin, Names(), Quotes()) as loaded:
        yield loaded


@pytest.fixture
def start():
    """start(*other_plugins, **settings): the spaCy plugin and the gazetteer, with other plugins."""
    return lambda *others, **settings: started(claimscope_spacy.plugin, Names(), *others, **settings)
