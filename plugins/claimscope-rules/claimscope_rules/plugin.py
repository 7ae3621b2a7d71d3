"""Hook implementations: the rules plugin registers its gazetteer and its extractors."""

from __future__ import annotations

import json
from importlib import resources

from claimscope import hookimpl
from claimscope.models import ActorEntry

from claimscope_rules.actors import ActorsExtractor
from claimscope_rules.claims import ClaimsExtractor
from claimscope_rules.dates import DatesExtractor
from claimscope_rules.figures import FiguresExtractor
from claimscope_rules.quotes import QuotesExtractor

GAZETTEER = "data/gazetteer.json"


@hookimpl
def register_actor_aliases(register):
    """The shipped gazetteer: countries (with demonyms and capitals), organisations, office holders."""
    for item in json.loads((resources.files("claimscope_rules") / GAZETTEER).read_text(encoding="utf-8")):
        register(ActorEntry(**item))


@hookimpl
def register_extractors(register):
    for extractor in (
        ActorsExtractor(),
        DatesExtractor(),
        FiguresExtractor(),
        QuotesExtractor(),
        ClaimsExtractor(),
    ):
        register(extractor)
