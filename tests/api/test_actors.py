"""Actors and claims endpoints: counts per actor, filters, lookups by id."""

from __future__ import annotations

import pytest
from claimscope import hookimpl
from claimscope.models import ActorEntry

from tests.fixture_plugins import Basic

DOCS = [
    {"id": "d1", "published_at": "2024-10-01", "text": "Moscow confirmed 300 North Korean troops. Pyongyang said nothing."},
    {"id": "d2", "published_at": "2024-11-15", "text": "Russia confirmed the deployment. North Korean officers arrived."},
    {"id": "d3", "published_at": "2024-11-20", "text": "Officials in the Kremlin said 500 Russian troops moved. Ärger in Moscow."},
]  # fmt: skip


class ManyLands(Basic):
    """The Basic extractors with 130 more countries in the gazetteer: more than one facet page."""

    @hookimpl
    def register_actor_aliases(self, register):
        for n in range(130):
            register(ActorEntry(name=f"Land{n:03d}", type="country"))


@pytest.fixture
def loaded(client):
    for doc in DOCS:
        assert client.post("/v1/documents", json=doc).status_code == 201
    return client


def test_counts_per_actor(loaded):
    page = loaded.get("/v1/actors", params={"type": "country"}).json()
    counts = {a["id"]: (a["document_count"], a["claim_count"], a["quote_count"]) for a in page["items"]}
    assert counts == {"russia": (3, 4, 0), "north-korea": (2, 3, 0)}
    assert page["total"] == 2


def test_detail_aliases_and_unknown_ids(loaded):
    russia = loaded.get("/v1/actors/russia").json()
    assert russia["claim_count"] == 4 and {"the Kremlin", "Moscow", "Russian"} <= set(russia["aliases"])
    assert loaded.get("/v1/actors/atlantis").status_code == 404
    assert loaded.get("/v1/actors", params={"type": "planet"}).status_code == 400


def test_prefix_matches_names_and_aliases(loaded):
    for prefix in ("pyong", "North"):
        items = loaded.get("/v1/actors", params={"prefix": prefix}).json()["items"]
        assert [a["id"] for a in items] == ["north-korea"]


def test_every_actor_on_a_long_page_gets_its_own_counts(make_client):
    client = make_client(ManyLands())
    names = [f"Land{n:03d}" for n in range(130)]
    text = " and ".join(names) + " confirmed it. " + " and ".join(names[:65]) + " denied it."
    assert client.post("/v1/documents", json={"id": "many", "text": text}).status_code == 201
    items = client.get("/v1/actors", params={"limit": 500}).json()["items"]
    counts = {a["id"]: a["claim_count"] for a in items}
    assert len(counts) == 130
    assert all(counts[f"land{n:03d}"] == (2 if n < 65 else 1) for n in range(130))


def test_claim_by_id(loaded):
    hits = loaded.get("/v1/search/claims", params={"status": "confirmed", "sort": "date"}).json()["hits"]
    detail = loaded.get(f"/v1/claims/{hits[0]['id']}").json()
    assert detail["claim"]["text"] == "Moscow confirmed 300 North Korean troops."
    assert detail["document"]["id"] == "d1"
    assert loaded.get("/v1/claims/d1:c99").status_code == 404
    assert loaded.get("/v1/claims/nope").status_code == 404
