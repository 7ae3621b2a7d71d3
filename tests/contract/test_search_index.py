"""One contract for every SearchIndex: the same documents, the same queries, the same answers.

Backends: the embedded index, tantivy, the Meilisearch adapter against tests/fake_meili/, and the
same adapter against a real Meilisearch server when MEILI_URL (and MEILI_KEY, if the server
has a master key) is set, as with deploy/docker-compose.yml (skipped otherwise).
"""

from __future__ import annotations

import os
import re
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import meilisearch
import msgspec
import pytest
from claimscope import hookimpl
from claimscope.core import Claimscope
from claimscope.index.base import SearchIndex
from claimscope.index.meili import COLLECTIONS, MeiliIndex
from claimscope.index.sqlite_fts import SQLiteFTSIndex
from claimscope.index.tantivy_index import TantivyIndex
from claimscope.models import Actor, Claim, DocumentIn, Extraction, Mention, SearchQuery
from claimscope.settings import load_settings

from tests.fake_meili import FakeMeili
from tests.fixture_plugins import Basic, Extractor

DOCS = [
    DocumentIn(id="d1", source="wire", published_at="2024-10-01",
               text="Moscow confirmed 300 North Korean troops. Pyongyang said nothing."),
    DocumentIn(id="d2", source="daily", published_at="2024-11-15",
               text="Russia confirmed the deployment. North Korean officers arrived."),
    DocumentIn(id="d3", source="wire", published_at="2024-11-20",
               text="Officials in the Kremlin said 500 Russian troops moved. Ärger in Moscow."),
]  # fmt: skip


@dataclass
class Backend:
    make_index: Callable[[Path], SearchIndex]  # for a service whose data lives in the directory
    wipe: Callable[[SearchIndex], None] | None = None  # lose all it holds (a wiped volume)


def meili_backend(client: meilisearch.Client, made: list[MeiliIndex]) -> Backend:
    def make(data_dir: Path) -> MeiliIndex:
        index = MeiliIndex(client, f"contract_{uuid.uuid4().hex[:8]}", task_timeout_ms=20_000)
        made.append(index)
        return index

    def wipe(index: SearchIndex) -> None:
        assert isinstance(index, MeiliIndex)
        for collection in COLLECTIONS:
            index.wait(client.delete_index(index.uid(collection)).task_uid)

    return Backend(make, wipe)


@pytest.fixture(params=["sqlite", "tantivy", "meilisearch-fake", "meilisearch"])
def backend(request) -> Iterator[Backend]:
    if request.param == "sqlite":
        yield Backend(lambda data_dir: SQLiteFTSIndex())
        return
    if request.param == "tantivy":
        yield Backend(lambda data_dir: TantivyIndex(data_dir / "tantivy", commit_seconds=0))
        return
    made: list[MeiliIndex] = []
    if request.param == "meilisearch-fake":
        with FakeMeili() as fake:
            yield meili_backend(meilisearch.Client(fake.url, timeout=10), made)
        return
    url = os.environ.get("MEILI_URL")
    if not url:
        pytest.skip("MEILI_URL is not set: no Meilisearch server to test against")
    client = meilisearch.Client(url, os.environ.get("MEILI_KEY"), timeout=10)
    yield meili_backend(client, made)
    for index in made:
        for collection in COLLECTIONS:
            client.delete_index(index.uid(collection))


@pytest.fixture
def open_core(backend, tmp_path):
    """A service on a fresh store and index of the backend, with the given plugins."""
    cores = []

    def open_(*plugins) -> Claimscope:
        data_dir = tmp_path / f"data{len(cores)}"
        settings = load_settings({}, data_dir=str(data_dir))
        core = Claimscope.open(
            settings, entry_points=False, extra_plugins=plugins, index=backend.make_index(data_dir)
        )
        cores.append(core)
        return core

    yield open_
    for core in cores:
        core.close()


@pytest.fixture
def core(open_core):
    core = open_core(Basic())
    for doc in DOCS:
        core.ingest(doc)
    settle(core)
    return core


def settle(core):
    """Writes reach an index outside the store's transaction through the outbox: push them."""
    assert core.drain_index(timeout=60) == 0


def scripted(document, found):
    """The actors and claims a test wants, from the document's metadata["script"]: actor
    names (each mentioned where it first occurs), claims {text, status, date, subjects}."""
    script = document.metadata.get("script", {})
    text = document.text
    actors = [
        Actor(id=f"org-{name.lower()}", name=name, type="organization",
              mentions=[Mention(name, text.index(name), text.index(name) + len(name))])
        for name in script.get("actors", [])
    ]  # fmt: skip
    claims = [
        Claim(text=c["text"], start=text.index(c["text"]), end=text.index(c["text"]) + len(c["text"]),
              status=c.get("status", "reported"), date=c.get("date"), subject_ids=c.get("subjects", []))
        for c in script.get("claims", [])
    ]  # fmt: skip
    return Extraction(actors=actors, claims=claims)


class Scripted:
    @hookimpl
    def register_extractors(self, register):
        register(Extractor("contract.scripted", ["actors", "claims"], fn=scripted))


def search(core, collection="documents", **query):
    return core.index.search(SearchQuery(collection=collection, **query))


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


HOSTILE = ['" OR 1=1 --', "\\", "ends\\", 'a\\"b', 'x" OR source = "wire', "NOT", "(a OR b)", "Ärger'\""]


def test_hostile_values_match_nothing_and_break_nothing(core):
    for value in HOSTILE:
        result = core.index.search(
            SearchQuery(collection="claims", q=value, actor=[value], source=[value], facets=["actor"])
        )
        assert result.total == 0, value


def test_filter_values_with_quotes_and_backslashes_find_what_they_name(core):
    for n, source in enumerate(["back\\slash", 'say "hi"', 'two \\\\" marks', "it's"]):
        core.ingest(DocumentIn(id=f"s{n}", source=source, text=f"Moscow spoke {n} times."))
    settle(core)
    for n, source in enumerate(["back\\slash", 'say "hi"', 'two \\\\" marks', "it's"]):
        assert ids(search(core, source=[source])) == [f"s{n}"], source


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
    assert "onerror=&quot;alert(1)&quot;&gt;" in hit.snippet  # a cropping engine may cut before the "<"
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


# -- the query: words, every one required, the last as a prefix, nothing more ----------------


def test_every_word_must_match(core):
    assert ids(search(core, q="troops nothing")) == ["d1"]
    assert search(core, q="troops atlantis", facets=["source"]).total == 0
    assert search(core, "claims", q="confirmed atlantis", facets=["status"]).facets == {"status": {}}


def test_query_syntax_is_only_words(core):
    assert ids(search(core, q="-kremlin")) == ["d3"]  # not "everything but the Kremlin"
    assert ids(search(core, q='"troops moscow"')) == ["d1", "d3"]  # words, not a phrase
    assert ids(search(core, q="kreml.")) == ["d3"]  # trailing punctuation keeps the prefix
    assert ids(search(core, q="KREMLIN!!")) == ["d3"]


def test_only_the_first_ten_words_count(core):
    ten = "moscow confirmed 300 north korean troops pyongyang said nothing moscow"
    assert ids(search(core, q=ten)) == ["d1"]
    assert ids(search(core, q=ten + " atlantis")) == ["d1"]
    assert search(core, q="atlantis " + ten).total == 0


def test_misspelt_words_match_nothing(core):
    assert search(core, q="kremlim").total == 0
    assert search(core, q="deploymant").total == 0


# -- ids, facets, order, dates, snippets ---------------------------------------------------------


def test_ids_differing_only_in_case_are_different_documents(core):
    core.ingest(DocumentIn(id="Doc-A", text="Moscow confirmed the convoy."))
    core.ingest(DocumentIn(id="doc-a", text="Pyongyang confirmed the ferry."))
    settle(core)
    core.ingest(DocumentIn(id="doc-a", text="Pyongyang denied the ferry."), replace=True)
    settle(core)
    assert ids(search(core, q="convoy")) == ["Doc-A"]
    assert [h.document_id for h in search(core, "claims", q="convoy").hits] == ["Doc-A"]
    core.store.delete_document("doc-a")
    settle(core)
    assert ids(search(core, q="convoy")) == ["Doc-A"] and search(core, q="ferry").total == 0
    assert [h.document_id for h in search(core, "claims", q="convoy").hits] == ["Doc-A"]


def test_a_facet_keeps_its_most_frequent_values(open_core):
    core = open_core(Scripted())
    names = [f"Org{n:03d}" for n in range(120)]
    # the first 20 names (A→Z) in one document, the other 100 in two
    core.ingest(DocumentIn(id="all", text=" ".join(names) + ".", metadata={"script": {"actors": names}}))
    core.ingest(
        DocumentIn(id="most", text=" ".join(names[20:]) + ".", metadata={"script": {"actors": names[20:]}})
    )
    settle(core)
    facet = search(core, facets=["actor"]).facets["actor"]
    assert facet == {f"org-org{n:03d}": 2 for n in range(20, 120)}
    counts = list(search(core, q="org000", facets=["actor"]).facets["actor"].values())
    assert counts == sorted(counts, reverse=True) and len(counts) == 100


def test_sort_by_date_orders_by_date_whatever_the_relevance(open_core):
    core = open_core(Basic())
    for doc_id, day, title, text in [
        ("p", "2024-01-05", "Harbour crane", "The board met."),  # the words only in the title
        ("q", "2024-02-05", None, "The harbour board spoke of the old rusty crane."),  # far apart
        ("r", "2024-03-05", None, "The harbour crane was repaired."),  # side by side
    ]:
        core.ingest(DocumentIn(id=doc_id, published_at=day, title=title, text=text))
    settle(core)
    assert [h.id for h in search(core, q="harbour crane", sort="date").hits] == ["p", "q", "r"]
    assert [h.id for h in search(core, q="harbour crane", sort="-date").hits] == ["r", "q", "p"]


def test_relevance_without_words_is_newest_first(core):
    assert [h.id for h in search(core, sort="relevance").hits] == ["d3", "d2", "d1"]
    assert [h.id for h in search(core, q="!!", sort="relevance").hits] == ["d3", "d2", "d1"]


def test_a_date_known_to_the_month_is_in_every_range_that_overlaps_the_month(open_core):
    core = open_core(Scripted())
    claims = [
        {"text": "The fleet sailed in November.", "date": "2024-11"},
        {"text": "The fleet docked on the twentieth.", "date": "2024-11-20"},
        {"text": "The fleet was built that year.", "date": "2024"},
    ]
    text = " ".join(c["text"] for c in claims)
    core.ingest(DocumentIn(id="fleet", text=text, metadata={"script": {"claims": claims}}))
    settle(core)

    def dates(date_from, date_to):
        hits = search(core, "claims", date_from=date_from, date_to=date_to).hits
        return sorted(h.item["date"] for h in hits)

    assert dates("2024-11-01", "2024-11-30") == ["2024-11", "2024-11-20"]
    assert dates("2024-11-15", "2024-12-31") == ["2024-11", "2024-11-20"]
    assert dates("2024-10-01", "2024-11-05") == ["2024-11"]
    assert dates("2024-12-01", "2024-12-31") == dates("2024-10-01", "2024-10-31") == []
    assert dates("2024-11-01", None) == dates(None, "2024-11-30") == ["2024-11", "2024-11-20"]


def test_snippets_hold_sixteen_words_around_whole_marked_words(core):
    words = [f"filler{n}" for n in range(60)]
    words[30] = "harbourmaster"
    core.ingest(DocumentIn(id="long", text=" ".join(words) + "."))
    settle(core)
    [hit] = search(core, q="harbo").hits
    assert "<mark>harbourmaster</mark>" in hit.snippet
    assert hit.snippet.startswith("…") and hit.snippet.endswith("…")
    assert 8 <= len(re.findall(r"\w+", hit.snippet.replace("<mark>", " ").replace("</mark>", " "))) <= 16


# -- an index outside the store: it can vanish under the running service -------------------------


def test_an_index_lost_under_a_running_worker_is_refilled_from_the_store(backend, core):
    if backend.wipe is None:
        pytest.skip("this index lives in the store's own file")
    core.start_index_worker(backoff=lambda attempt: 0.1, poll_seconds=0.05)
    backend.wipe(core.index)
    core.ingest(DocumentIn(id="d4", source="wire", published_at="2024-12-01", text="Kyiv answered."))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if core.index.lag() == 0 and search(core).total == 4:
                break
        except Exception:  # the index is being recreated
            pass
        time.sleep(0.1)
    assert ids(search(core)) == ["d1", "d2", "d3", "d4"]
    assert core.index.count_by_actor("claims", ["russia"]) == {"russia": 4}
    assert core.index.status()["ok"] is True


# -- stories: one item per story, replaced as its documents change ----------------------------
# With the fixture's claims, "Moscow confirmed 300 North Korean troops." (d1, wire) and "Officials
# in the Kremlin said 500 Russian troops moved." (d3, wire) are one story; every other claim is
# a story of its own.


def test_stories_have_the_facets_of_claims(core):
    result = core.index.search(
        SearchQuery(collection="stories", facets=["status", "source", "month", "actor"])
    )
    assert result.total == 5
    assert result.facets["status"] == {"confirmed": 2, "reported": 3}  # a story's current status
    assert result.facets["source"] == {"wire": 3, "daily": 2}  # a story counts once per source
    assert result.facets["month"] == {"2024-11": 4, "2024-10": 2}
    assert result.facets["actor"]["north-korea"] == 3
    troops = core.index.search(SearchQuery(collection="stories", q="troops"))
    assert troops.total == 1 and troops.hits[0].item["claim_count"] == 2
    assert troops.hits[0].item["sources"] == ["wire"] and troops.hits[0].item["status"] == "confirmed"


def test_story_filters_match_any_claim_of_the_story(core):
    both = core.index.search(SearchQuery(collection="stories", source=["wire"], month=["2024-10"]))
    assert both.total == 2 and all("wire" in h.item["sources"] for h in both.hits)
    either_month = core.index.search(SearchQuery(collection="stories", month=["2024-10", "2024-11"]))
    assert either_month.total == 5
    story = core.index.search(
        SearchQuery(collection="stories", month=["2024-11"], status=["confirmed"], actor=["north-korea"])
    )
    assert [h.item["claim_count"] for h in story.hits] == [2]
    newest_first = core.index.search(SearchQuery(collection="stories", sort="-date", limit=1))
    assert newest_first.hits[0].date == "2024-11-20"


def test_deleting_documents_updates_and_removes_story_items(core):
    core.store.delete_document("d3")
    settle(core)
    troops = core.index.search(SearchQuery(collection="stories", q="troops", facets=["month"]))
    assert troops.total == 1 and troops.hits[0].item["claim_count"] == 1
    assert troops.facets["month"] == {"2024-10": 1}
    assert core.index.search(SearchQuery(collection="stories")).total == 4
    core.store.delete_document("d1")
    settle(core)
    assert core.index.search(SearchQuery(collection="stories", q="troops")).total == 0
    assert core.index.search(SearchQuery(collection="stories")).total == 2


def test_reindex_rebuilds_story_items_from_the_store(core):
    before = core.index.search(SearchQuery(collection="stories", facets=["status", "source", "month"]))
    core.reindex()
    settle(core)
    after = core.index.search(SearchQuery(collection="stories", facets=["status", "source", "month"]))
    assert after.total == before.total == 5 and after.facets == before.facets
