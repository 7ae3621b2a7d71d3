"""A write answers whether searches see it yet, and `?wait=true` waits until they do."""

from __future__ import annotations

import pytest
from claimscope.app import create_app
from claimscope.core import Claimscope
from claimscope.models import ClaimFilters
from claimscope.settings import load_settings
from litestar.testing import TestClient

from tests.fixture_plugins import Basic

TEXT = "Moscow confirmed {n} North Korean troops."


@pytest.fixture
def tantivy(tmp_path, request):
    """A server on the tantivy backend, its core (to stop and start the outbox worker) and client."""
    wait_ms = getattr(request, "param", 60_000)
    settings = load_settings({}, data_dir=str(tmp_path), index_backend="tantivy", index_wait_ms=wait_ms)
    core = Claimscope.open(settings, entry_points=False, extra_plugins=[Basic()])
    with TestClient(create_app(settings, core=core)) as client:
        yield core, client
    core.close()


def found(client, q):
    return [h["id"] for h in client.get("/v1/search/documents", params={"q": q}).json()["hits"]]


def test_the_embedded_sqlite_index_is_searchable_at_once(client):
    r = client.post("/v1/documents", json={"id": "a", "text": TEXT.format(n=3)})
    assert r.status_code == 201 and r.headers["claimscope-searchable"] == "true"
    assert found(client, "troops") == ["a"]


def test_wait_answers_once_the_tantivy_index_holds_the_write(tantivy):
    _, client = tantivy
    for n in range(5):
        r = client.post(
            "/v1/documents", params={"wait": "true"}, json={"id": f"d{n}", "text": TEXT.format(n=n)}
        )
        assert r.status_code == 201 and r.headers["claimscope-searchable"] == "true"
        assert f"d{n}" in found(client, f"confirmed {n}")
    r = client.put("/v1/documents/d0", params={"wait": "true"}, json={"text": "Kyiv denied everything."})
    assert r.status_code == 200 and r.headers["claimscope-searchable"] == "true"
    assert found(client, "kyiv") == ["d0"] and "d0" not in found(client, "moscow")


@pytest.mark.parametrize("tantivy", [300], indirect=True)
def test_without_a_worker_the_answer_says_not_yet_and_wait_gives_up_at_the_bound(tantivy):
    core, client = tantivy
    core.stop_index_worker()
    r = client.post("/v1/documents", json={"id": "late", "text": TEXT.format(n=7)})
    assert r.status_code == 201 and r.headers["claimscope-searchable"] == "false"
    waited = client.post(
        "/v1/documents", params={"wait": "true"}, json={"id": "later", "text": TEXT.format(n=8)}
    )
    assert waited.status_code == 201 and waited.headers["claimscope-searchable"] == "false"
    assert found(client, "troops") == []
    core.start_index_worker()
    again = client.post(
        "/v1/documents", params={"wait": "true"}, json={"id": "later", "text": TEXT.format(n=8)}
    )
    assert again.status_code == 200 and again.headers["claimscope-searchable"] == "true"
    assert sorted(found(client, "troops")) == ["late", "later"]


def test_a_repeated_search_is_answered_again_until_the_index_changes(tantivy):
    core, client = tantivy
    client.post("/v1/documents", params={"wait": "true"}, json={"id": "a", "text": TEXT.format(n=1)})
    params = {"q": "troops", "facets": "actor,status"}
    first = client.get("/v1/search/claims", params=params).json()
    assert core.kept_answer(ClaimFilters(q="troops", facets=["actor", "status"])) is not None
    again = client.get("/v1/search/claims", params=params).json()
    assert {**again, "took_ms": 0} == {**first, "took_ms": 0}
    client.post("/v1/documents", params={"wait": "true"}, json={"id": "b", "text": TEXT.format(n=2)})
    after = client.get("/v1/search/claims", params=params).json()
    assert after["total"] == first["total"] + 1 and after["facets"]["status"] == {"confirmed": 2}
