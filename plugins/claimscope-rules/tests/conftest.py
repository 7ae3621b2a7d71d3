"""Run the rules plugin through the plugin contract, as the service does."""

from __future__ import annotations

import claimscope_rules.plugin
import pytest
from claimscope.models import DocumentIn
from claimscope.pipeline.manager import load_plugins
from claimscope.pipeline.runner import Pipeline


@pytest.fixture(scope="session")
def pipeline():
    plugins = load_plugins(entry_points=False, extra=[claimscope_rules.plugin])
    pipe = Pipeline(plugins.extractors, plugins.gazetteer)
    yield pipe
    pipe.close()


@pytest.fixture
def extract(pipeline):
    """extract(text, published_at=None) -> Extraction, failing loudly if an extractor failed."""

    def run(text, published_at=None):
        extraction = pipeline.run(DocumentIn(id="t", text=text, published_at=published_at))
        failed = [r for r in extraction.runs if not r.ok]
        assert not failed, failed
        return extraction

    return run
