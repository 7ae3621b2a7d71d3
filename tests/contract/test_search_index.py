"""One contract for every SearchIndex: the same documents, the same queries, the same answers.

The Meilisearch variant needs a real server: it runs when MEILI_URL (and MEILI_KEY, if the
server has a master key) is set, as with deploy/docker-compose.yml, and is skipped otherwise.
"""

from __future__ import annotations

import os
import uuid

import meilisearch
import msgspec
import pytest
from claimscope.core import Claimscope
from claimscope.index.meili import MeiliIndex
from claimscope.index.sqlite_fts import SQLiteFTSIndex
from claimscope.index.tantivy_index import TantivyIndex
from claimscope.models import DocumentIn, SearchQuery
from claimscope.settings import load_settings

from tests.fixture_plugins import Basic

DOCS = [
    DocumentIn(id="d1", source="wire", published_at="2024-10-01",
               text="Moscow confirmed 300 North Korean troops. Pyongyang said nothing."),
    DocumentIn(id="d2", source="daily", published_at="2024-11-15",
               text="Russia confirmed the deployment. North Korean officers arrived."),
    DocumentIn(id="d3", source="wire", published_at="2024-11-20",
               text="Officials in the Kremlin said 500 Russian troops moved. Ärger in Moscow."),
]  # fmt: skip


def sqlite_index(tmp_path):
    return SQLiteFTSIndex()


def tantivy_index(tmp_path):
    return TantivyIndex(tmp_path / "tantivy", commit_seconds=0)


def meili_index(tmp_path):
    url = os.environ.get("MEILI_URL")
    if not url:
        pytest.skip("MEILI_URL is not set: no Meilisearch server to test against")
    client = meilisearch.Client(url, os.environ.get("MEILI_KEY"), timeout=10)
    return MeiliIndex(client, f"contract_{uuid.uuid4().hex[:8]}")


@pytest.fixture(params=[sqlite_index, tantivy_index, meili_index], ids=["sqlite", "tantivy", "meilisearch"])
def core(request, tmp_path):
    index = request.param(tmp_path)
    core = Claimscope.open(
        load_settings({}, data_dir=str(tmp_path)), entry_points=False, extra_plugins=[Basic()], index=index
    )
    for doc in DOCS:
        core.ingest(doc)
    settle(core)
    yield core
    core.close()


def settle(core):
    """Writes reach an index outside the store's transaction through the outbox: push them."""
    assert core.drain_index(timeout=60) == 0


def ids(result):
    return sorted(h.id for h in result.hits)


def test_status_filter_and_counts(core):
    result = core.index.search(
        SearchQuery(collection="claims", status=["confirmed"], facets=["status", "actor"])
    )
    assert result.total == 2 and result.facets["status"] == {"confirmed": 2}
    assert result.facets["actor"]["russia"] == 2 and result.facets["actor"]["north-korea"] == 1


def test_or_within_and_across(core):
    either = core.index.search(SearchQuery(collection="claims", status=["confirmed", "reported"]))
    both = core.index.search(
        SearchQuery(collection="claims", status=["confirmed", "reported"], actor=["north-korea"])
    )
    assert either.total == 6 and both.total == 3
    assert all("north-korea" in h.item["subject_ids"] for h in both.hits)


def test_full_text_dates_sources_and_sort(core):
    assert ids(core.index.search(SearchQuery(collection="documents", q="kremlin"))) == ["d3"]
    assert ids(core.index.search(SearchQuery(collection="documents", q="arger"))) == ["d3"]
    november = core.index.search(
        SearchQuery(collection="documents", date_from="2024-11-01", date_to="2024-11-30")
    )
    assert ids(november) == ["d2", "d3"]
    wire = core.index.search(SearchQuery(collection="documents", source=["wire"], facets=["month"]))
    assert ids(wire) == ["d1", "d3"] and wire.facets["month"] == {"2024-10": 1, "2024-11": 1}
    newest = core.index.search(SearchQuery(collection="documents", sort="-date"))
    assert [h.id for h in newest.hits] == ["d3", "d2", "d1"]


def test_hostile_values_match_nothing_and_break_nothing(core):
    for value in ['" OR 1=1 --', "\\", "NOT", "(a OR b)", "Ärger'\""]:
        result = core.index.search(
            SearchQuery(collection="claims", q=value, actor=[value], source=[value], facets=["actor"])
        )
        assert result.total == 0


def test_delete_removes_every_item_of_the_document(core):
    core.store.delete_document("d3")
    settle(core)
    assert core.index.search(SearchQuery(collection="documents", q="kremlin")).total == 0
    assert core.index.search(SearchQuery(collection="claims", source=["wire"])).total == 2


def test_counts_by_actor_and_replacing_a_document(core):
    assert core.index.count_by_actor("claims", ["russia", "north-korea", "atlantis"]) == {
        "russia": 4,
        "north-korea": 3,
        "atlantis": 0,
    }
    core.ingest(
        DocumentIn(id="d1", source="wire", published_at="2024-10-01", text="Moscow spoke."), replace=True
    )
    settle(core)
    assert core.index.count_by_actor("claims", ["russia", "north-korea"]) == {"russia": 4, "north-korea": 1}
    assert ids(core.index.search(SearchQuery(collection="documents", q="troops"))) == ["d3"]


def test_snippets_are_safe_html_whatever_the_article_holds(core):
    hostile = (
        'Officials in <img src=x onerror="alert(1)"> the Kremlin & co said a '
        "\ue000forged\ue001 highlight <script>x()</script> was nothing."
    )
    core.ingest(DocumentIn(id="evil", source="wire", published_at="2024-11-21", text=hostile))
    settle(core)
    [hit] = [
        h for h in core.index.search(SearchQuery(collection="documents", q="kremlin")).hits if h.id == "evil"
    ]
    assert "<mark>Kremlin</mark>" in hit.snippet
    bare = hit.snippet.replace("<mark>", "").replace("</mark>", "")
    assert "<" not in bare and ">" not in bare
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in hit.snippet
    assert "forged" in hit.snippet and "<mark>forged" not in hit.snippet


def test_every_word_must_match_and_the_last_may_be_a_prefix(core):
    def found(collection, q):
        return ids(core.index.search(SearchQuery(collection=collection, q=q)))

    assert found("documents", "korean moscow") == ["d1"]
    assert found("documents", "moscow troo") == ["d1", "d3"]
    assert found("documents", "troo moscow") == []  # only the last word is a prefix
    assert found("claims", "north korean troo") == ["d1:c0"]
    assert found("documents", "troops officers") == []


def test_facets_without_hits_count_every_match(core):
    for query in [
        SearchQuery(collection="claims", facets=["status", "actor"]),
        SearchQuery(collection="claims", q="confirmed", facets=["status"]),
        SearchQuery(collection="documents", source=["wire"], facets=["month", "source"]),
    ]:
        with_hits = core.index.search(query)
        alone = core.index.search(SearchQuery(**{**msgspec.structs.asdict(query), "limit": 0}))
        assert alone.hits == [] and (alone.total, alone.facets) == (with_hits.total, with_hits.facets)


def test_sort_by_date_with_words_and_paging(core):
    def order(**options):
        return [h.id for h in core.index.search(SearchQuery(collection="documents", **options)).hits]

    assert order(q="confirmed", sort="date") == ["d1", "d2"]
    assert order(q="confirmed", sort="-date") == ["d2", "d1"]
    assert order(sort="date", limit=1, offset=1) == ["d2"]
    assert order(sort="-date", limit=2, offset=2) == ["d1"]
    page = core.index.search(SearchQuery(collection="documents", limit=1, offset=5))
    assert page.total == 3 and page.hits == []
