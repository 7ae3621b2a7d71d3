"""Search endpoints over the embedded index."""

from __future__ import annotations

import asyncio

import pytest

DOCS = [
    {
        "id": "d1",
        "source": "wire",
        "published_at": "2024-10-01",
        "text": "Moscow confirmed 300 North Korean troops. Pyongyang said nothing.",
    },
    {
        "id": "d2",
        "source": "daily",
        "published_at": "2024-11-15",
        "text": "Russia confirmed the deployment. North Korean officers arrived.",
    },
    {
        "id": "d3",
        "source": "wire",
        "published_at": "2024-11-20",
        "text": "Officials in the Kremlin said 500 Russian troops moved. Ärger in Moscow.",
    },
]


@pytest.fixture
def loaded(client):
    for doc in DOCS:
        assert client.post("/v1/documents", json=doc).status_code == 201
    return client


def search(client, collection, **params):
    r = client.get(f"/v1/search/{collection}", params=params)
    assert r.status_code == 200, r.text
    return r.json()


def test_filters_are_or_within_and_across_facets(loaded):
    confirmed = search(loaded, "claims", status="confirmed", facets="status,actor")
    assert confirmed["total"] == 2 and confirmed["facets"]["status"] == {"confirmed": 2}
    both = search(loaded, "claims", status=["confirmed", "reported"])
    assert both["total"] == 6
    narrowed = search(loaded, "claims", status=["confirmed", "reported"], actor="north-korea")
    assert {h["item"]["status"] for h in narrowed["hits"]} == {"confirmed", "reported"}
    assert all("north-korea" in h["item"]["subject_ids"] for h in narrowed["hits"])


def test_actor_by_id_name_or_alias_gives_the_same_hits(loaded):
    by_id = search(loaded, "claims", actor="north-korea")
    for alias in ("Pyongyang", "north korea", "North Korean"):
        assert search(loaded, "claims", actor=alias)["hits"] == by_id["hits"]


def test_full_text_with_prefix_diacritics_and_snippet(loaded):
    hits = search(loaded, "documents", q="kreml")["hits"]
    assert [h["id"] for h in hits] == ["d3"] and "<mark>Kremlin</mark>" in hits[0]["snippet"]
    assert [h["id"] for h in search(loaded, "documents", q="arger")["hits"]] == ["d3"]


def test_date_range_month_and_source_facets(loaded):
    result = search(loaded, "documents", date_from="2024-11-01", date_to="2024-11-30", facets="month,source")
    assert {h["id"] for h in result["hits"]} == {"d2", "d3"}
    assert result["facets"] == {"month": {"2024-11": 2}, "source": {"daily": 1, "wire": 1}}
    newest_first = [h["id"] for h in search(loaded, "documents")["hits"]]
    assert newest_first == ["d3", "d2", "d1"]
    assert [h["id"] for h in search(loaded, "documents", sort="date")["hits"]] == ["d1", "d2", "d3"]


def test_paging_and_a_limit_over_the_maximum_is_400(make_client):
    client = make_client(max_search_limit=2)
    for doc in DOCS:
        client.post("/v1/documents", json=doc)
    page = search(client, "documents", limit=2)
    assert page["total"] == 3 and len(page["hits"]) == 2
    assert [h["id"] for h in search(client, "documents", limit=2, offset=2)["hits"]] == ["d1"]
    r = client.get("/v1/search/documents", params={"limit": 3})
    assert r.status_code == 400 and r.json()["field"] == "limit" and "maximum is 2" in r.json()["detail"]


@pytest.mark.parametrize(
    ("collection", "params", "named", "applicable"),
    [
        ("documents", {"status": "confirmed"}, "status", "q, actor, source, date_from, date_to"),
        ("documents", {"speaker": "x", "claimant": "y"}, "speaker", "q, actor, source"),
        ("quotes", {"status": "denied"}, "status", "q, actor, speaker, source"),
        ("claims", {"speaker": "x"}, "speaker", "q, actor, status, claimant, source"),
        ("claims", {"colour": "red"}, "colour", "q, actor, status, claimant, source"),
    ],
)
def test_a_filter_the_collection_lacks_is_400_naming_those_it_has(
    loaded, collection, params, named, applicable
):
    r = loaded.get(f"/v1/search/{collection}", params=params)
    assert r.status_code == 400 and r.headers["content-type"].startswith("application/problem+json")
    body = r.json()
    assert body["field"] == named and f"`{named}`" in body["detail"] and applicable in body["detail"]
    assert set(applicable.split(", ")) <= set(body["allowed"])


def test_deleting_a_document_removes_it_from_search(loaded):
    assert loaded.delete("/v1/documents/d3").status_code == 204
    assert search(loaded, "documents", q="kremlin")["total"] == 0
    assert search(loaded, "claims", source="wire")["total"] == 2


@pytest.mark.parametrize(
    ("params", "field", "allowed"),
    [
        ({"facets": "colour"}, "facets", "actor, status, claimant, source, month"),
        ({"status": "maybe"}, "status", "confirmed, reported"),
        ({"sort": "best"}, "sort", "relevance, date, -date"),
    ],
)
def test_unknown_facet_sort_or_status_lists_the_allowed_values(loaded, params, field, allowed):
    r = loaded.get("/v1/search/claims", params=params)
    assert r.status_code == 400 and r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["field"] == field and allowed in r.json()["detail"]


@pytest.mark.parametrize(
    "value",
    ["' OR 1=1 --", '"', "\\", "NOT", "a AND b", "(x OR y)", "Zelenskyy*", "body:troops", "Ärger'\"", "💥"],
)
def test_injection_shaped_values_are_plain_text(loaded, value):
    for collection, name in [("claims", n) for n in ("q", "actor", "claimant", "source")] + [
        ("quotes", "speaker")
    ]:
        r = loaded.get(f"/v1/search/{collection}", params={name: value, "facets": "actor"})
        assert r.status_code == 200, (name, value, r.text)
    assert loaded.get("/v1/documents").json()["items"]


@pytest.mark.parametrize(
    "params",
    [
        {"limit": -1},
        {"limit": 10**9},
        {"offset": -5},
        {"offset": 10**12},
        {"date_from": "yesterday"},
        {"date_from": "2024-12-01", "date_to": "2024-01-01"},
        {"q": "x" * 600},
    ],
)
def test_bad_paging_and_dates_are_400(loaded, params):
    r = loaded.get("/v1/search/documents", params=params)
    assert r.status_code == 400 and r.headers["content-type"].startswith("application/problem+json")


def test_no_sqlite_work_of_a_search_runs_on_the_event_loop(make_client, monkeypatch):
    client = make_client()
    for doc in DOCS:
        client.post("/v1/documents", json=doc)
    on_loop = []

    def watch(original):
        def connection():
            try:
                asyncio.get_running_loop()
                on_loop.append(True)
            except RuntimeError:
                on_loop.append(False)
            return original()

        return connection

    store = client.app.dependencies["core"].dependency().store
    monkeypatch.setattr(store, "connection", watch(store.connection))
    params = {"actor": ["Pyongyang", "russia"], "claimant": "moscow", "facets": "actor,status", "q": "troops"}
    assert client.get("/v1/search/claims", params=params).status_code == 200
    assert on_loop and not any(on_loop)


def test_snippets_are_escaped_html_and_cannot_be_forged(client):
    text = "Moscow said <img src=x onerror=alert(1)> and \ue000fake\ue001 marks & more."
    assert client.post("/v1/documents", json={"id": "x", "text": text}).status_code == 201
    [hit] = search(client, "documents", q="moscow")["hits"]
    assert hit["snippet"].startswith("<mark>Moscow</mark> said &lt;img src=x onerror=alert(1)&gt;")
    assert "<mark>fake" not in hit["snippet"] and "&amp; more" in hit["snippet"]
