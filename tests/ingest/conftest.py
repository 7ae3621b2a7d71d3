from __future__ import annotations

import pytest
from claimscope.app import create_app
from claimscope.core import Claimscope
from claimscope.settings import load_settings
from litestar.testing import TestClient

from tests.ingest.site import SiteServer


@pytest.fixture(scope="session")
def site():
    """The test news site on 127.0.0.1."""
    with SiteServer("127.0.0.1") as server:
        yield server


@pytest.fixture(scope="session")
def other_site():
    """The same site on 127.0.0.2: allowed alone, it redirects to a loopback it may not reach."""
    with SiteServer("127.0.0.2") as server:
        yield server


@pytest.fixture
def make_rules_client(tmp_path):
    """A TestClient over a fresh data dir with the installed extractors (claimscope-rules)."""
    clients = []

    def make(**settings):
        settings.setdefault("index_backend", "sqlite")  # searched right after writing
        conf = load_settings({}, data_dir=str(tmp_path / f"data{len(clients)}"), **settings)
        core = Claimscope.open(conf)
        client = TestClient(create_app(conf, core=core))
        client.__enter__()
        clients.append((client, core))
        return client

    yield make
    for client, core in clients:
        client.__exit__(None, None, None)
        core.close()
