"""Run the rules plugin through the plugin contract, as the service does (claimscope.testing)."""

from __future__ import annotations

import claimscope_rules.plugin
import pytest
from claimscope.testing import check_pipeline, started


@pytest.fixture(scope="session")
def rules():
    with started(claimscope_rules.plugin) as plugins:
        yield plugins


@pytest.fixture
def extract(rules):
    """extract(text, published_at=None) -> Extraction, failing loudly if an extractor failed
    or broke the contract."""

    def run(text, published_at=None):
        return check_pipeline(rules, text, published_at=published_at)

    return run
