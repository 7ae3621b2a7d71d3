from __future__ import annotations

import pytest
from claimscope.app import create_app
from claimscope.core import Claimscope
from claimscope.settings import load_settings
from litestar.testing import TestClient

from tests.fixture_plugins import Basic


@pytest.fixture
def make_client(tmp_path):
    """A TestClient over a fresh data dir with the given plugins (no installed entry points)."""
    clients = []

    def make(*plugins, entry_points=False, **settings):
        # the index written in the store's transaction: these tests search right after writing
        settings.setdefault("index_backend", "sqlite")
        conf = load_settings({}, data_dir=str(tmp_path / f"data{len(clients)}"), **settings)
        core = Claimscope.open(conf, entry_points=entry_points, extra_plugins=plugins or [Basic()])
        client = TestClient(create_app(conf, core=core))
        client.__enter__()
        clients.append((client, core))
        return client

    yield make
    for client, core in clients:
        client.__exit__(None, None, None)
        core.close()


@pytest.fixture
def client(make_client):
    return make_client()
