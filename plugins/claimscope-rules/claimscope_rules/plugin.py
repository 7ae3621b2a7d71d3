"""Hook implementations: the rules plugin registers its extractors and its gazetteer."""

from __future__ import annotations

from claimscope import hookimpl


@hookimpl
def register_extractors(register):
    # Filled in by the extractor modules as they land.
    pass


@hookimpl
def register_actor_aliases(register):
    pass
