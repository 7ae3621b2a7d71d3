"""The Meilisearch adapter against the Meilisearch stand-in: settings, escaping, tasks, outages."""

from __future__ import annotations

import re
import time

import meilisearch
import pytest
from claimscope.app import create_app
from claimscope.core import Claimscope
from claimscope.index.meili import INDEX_SETTINGS, SEARCH_PARAMS, MeiliIndex, build_filter, meili_string
from claimscope.models import DocumentIn, SearchQuery
from claimscope.settings import load_settings
from litestar.testing import TestClient

from tests.fake_meili import FakeMeili, FilterParser
from tests.fixture_plugins import Basic

HOSTILE = [
    "plain",
    'with "quotes"',
    "back\\slash",
    "two \\\\ back",
    'even \\\\" quote',
    "' OR 1=1 --",
    'x" OR actors = "russia',
    "a OR b",
    "x AND y",
    "NOT z",
    "(paren)",
    "[a, b]",
    "Ärger ü 🌍",
]
UNSAYABLE = ["ends\\", 'odd \\" quote', '\\" OR actors = "russia']  # Meilisearch's syntax cannot say these


def wait_until(predicate, seconds=10.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False


FAST = {"backoff": lambda attempt: 0.05, "poll_seconds": 0.02}


@pytest.fixture
def fake():
    with FakeMeili() as server:
        yield server


def open_core(tmp_path, fake, *, worker=True, stories=False):
    """A service on the Meilisearch stand-in; with `worker`, it drains the outbox as `serve` does.
    Stories are off unless asked for: these tests count rows and requests per document."""
    conf = load_settings(
        {}, data_dir=str(tmp_path), index_backend="meilisearch", meili_url=fake.url, stories=stories
    )
    index = MeiliIndex(meilisearch.Client(fake.url, timeout=2), "test", task_timeout_ms=5000)
    core = Claimscope.open(conf, entry_points=False, extra_plugins=[Basic()], index=index)
    if worker:
        core.start_index_worker(**FAST)
    return core


@pytest.mark.parametrize("value", HOSTILE + UNSAYABLE)
def test_every_filter_value_is_one_literal_as_meilisearch_reads_it(value):
    query = SearchQuery(
        collection="claims", actor=[value], status=[value], claimant=[value], speaker=[value], source=[value]
    )
    for condition in build_filter(query):
        parsed = FilterParser(condition).parse()  # the stand-in parses as filter-parser/src does
        assert parsed[0] == "in" and parsed[1] in {"actors", "status", "claimant", "speaker", "source"}
        assert parsed[2] == (() if value in UNSAYABLE else (value,))


def test_values_within_a_filter_are_or_filters_are_and_dates_are_numbers():
    query = SearchQuery(
        collection="claims", status=["confirmed", "denied"], actor=["russia"], date_from="2024-10-01",
        date_to="2024-10-31",
    )  # fmt: skip
    assert build_filter(query) == [
        'actors IN ["russia"]',
        'status IN ["confirmed", "denied"]',
        "date_last >= 20241001000000",
        "date_first <= 20241031999999",
    ]
    assert meili_string('say "hi"\\\\') == '"say \\"hi\\"\\\\"'
    assert meili_string("ends\\") is None


def test_settings_are_applied_at_start_and_writes_reach_meilisearch(tmp_path, fake):
    core = open_core(tmp_path, fake)
    try:
        core.ingest(
            DocumentIn(id="d1", text="Moscow confirmed 300 North Korean troops. Pyongyang said nothing.")
        )
        assert wait_until(lambda: core.index.lag() == 0)
        assert sorted(fake.indexes) == [f"test_{c}" for c in ("claims", "documents", "quotes", "stories")]
        for index in fake.indexes.values():  # the stand-in refuses keys Meilisearch does not know
            assert {
                k: index.settings[k] for k in INDEX_SETTINGS if k not in ("typoTolerance", "faceting")
            } == {k: v for k, v in INDEX_SETTINGS.items() if k not in ("typoTolerance", "faceting")}
            assert index.settings["typoTolerance"]["enabled"] is False
            assert index.settings["faceting"]["sortFacetValuesBy"] == {"*": "count"}
        docs = fake.all_documents()
        assert sorted(d["collection"] for d in docs) == ["claims", "claims", "documents"]
        assert all(d["document_id"] == "d1" and set(d["key"]) <= set("0123456789abcdef") for d in docs)
        assert core.index.status() == {"ok": True, "backend": "meilisearch", "lag": 0}
        settings_updates = sum(1 for t in fake.tasks if t["type"] == "settingsUpdate")
        core.stop_index_worker()
        assert core.drain_index(timeout=5) == 0
        assert (
            sum(1 for t in fake.tasks if t["type"] == "settingsUpdate") == settings_updates
        )  # unchanged: not sent
    finally:
        core.close()


def test_replacing_and_deleting_leave_no_duplicates(tmp_path, fake):
    core = open_core(tmp_path, fake)
    try:
        core.ingest(DocumentIn(id="d1", text="Moscow confirmed it. Pyongyang denied it."))
        core.ingest(DocumentIn(id="d1", text="Moscow spoke."), replace=True)
        assert wait_until(lambda: core.index.lag() == 0)
        assert sorted(d["collection"] for d in fake.all_documents()) == ["claims", "documents"]
        core.store.delete_document("d1")
        assert wait_until(lambda: core.index.lag() == 0 and fake.all_documents() == [])
    finally:
        core.close()


def test_a_failed_task_is_surfaced_and_the_row_kept(tmp_path, fake):
    fake.fail_tasks = True
    core = open_core(tmp_path, fake)
    try:
        core.ingest(DocumentIn(id="d1", text="Moscow spoke."))
        assert wait_until(lambda: "injected failure" in (core.index.status().get("last_error") or ""))
        status = core.index.status()
        assert status["lag"] == 1 and status["attempts"] >= 1 and status["oldest_seconds"] >= 0
        fake.fail_tasks = False
        assert wait_until(lambda: core.index.lag() == 0)
        assert core.index.status() == {"ok": True, "backend": "meilisearch", "lag": 0}
    finally:
        core.close()


def test_writes_are_accepted_during_an_outage_and_pushed_after(tmp_path, fake):
    fake.down = True
    core = open_core(tmp_path, fake)
    try:
        for n in range(5):
            _, created = core.ingest(DocumentIn(id=f"d{n}", text=f"Moscow said {n} things."))
            assert created
        status = core.index.status()
        assert status["ok"] is False and status["lag"] == 5
        assert wait_until(lambda: fake.refused > 3)  # it keeps trying
        fake.down = False
        assert wait_until(lambda: core.index.lag() == 0)
        documents = [d for d in fake.all_documents() if d["collection"] == "documents"]
        assert sorted(d["document_id"] for d in documents) == [f"d{n}" for n in range(5)]
    finally:
        core.close()


def test_a_search_sends_the_words_and_the_parameters_of_the_embedded_index(tmp_path, fake):
    core = open_core(tmp_path, fake)
    try:
        assert wait_until(lambda: core.index.status()["ok"])  # the worker made the indexes
        query = SearchQuery(
            collection="claims",
            q='-Troops "north korean", now!',
            actor=['x" OR 1=1'],
            facets=["status", "actor"],
        )
        result = core.index.search(query)
        assert result.total == 0 and result.facets == {"status": {}, "actor": {}}
        # the outbox worker talks to the server too (creating indexes): pick the search out
        method, path, body = next(r for r in reversed(fake.requests) if r[1].endswith("/search"))
        assert (method, path) == ("POST", "/indexes/test_claims/search")
        assert body["q"] == "Troops north korean now"  # no exclusion, no phrase, the prefix kept
        assert body["facets"] == ["status", "actors"] and "sort" not in body
        assert body["filter"] == ['actors IN ["x\\" OR 1=1"]']
        assert {k: body[k] for k in SEARCH_PARAMS} == SEARCH_PARAMS
        assert "body" not in body["attributesToRetrieve"] and body["cropLength"] == 16
        core.index.search(SearchQuery(collection="claims", q="!!", sort="relevance"))
        _, _, body = next(r for r in reversed(fake.requests) if r[1].endswith("/search"))
        assert body["q"] == "" and body["sort"] == ["sort_key:desc"]
    finally:
        core.close()


def test_searches_answer_503_while_meilisearch_is_down_or_its_index_is_gone(tmp_path, fake):
    core = open_core(tmp_path, fake, worker=False)
    try:
        core.ingest(DocumentIn(id="d1", text="Moscow confirmed it."))
        with TestClient(create_app(core.settings, core=core)) as client:
            fake.down = True
            for path in ("/v1/search/claims?q=troops", "/v1/actors/russia"):
                down = client.get(path)
                assert down.status_code == 503, (path, down.text)
                assert down.headers["content-type"] == "application/problem+json"
                assert "Meilisearch does not answer" in down.json()["detail"]
            assert client.get("/ready").status_code == 503
            fake.down = False
            gone = client.get("/v1/search/claims?q=troops")  # no worker yet: no index either
            assert gone.status_code == 503 and "index is missing" in gone.json()["detail"]
            ready = client.get("/ready").json()["index"]
            assert ready["ok"] is False and "index test_documents is missing" in ready["error"]
            assert wait_until(lambda: client.get("/v1/search/claims?q=troops").status_code == 200)
    finally:
        core.close()


def test_actor_counts_are_one_multi_search_with_an_escaped_filter_per_actor(tmp_path, fake):
    core = open_core(tmp_path, fake)
    try:
        core.ingest(
            DocumentIn(id="d1", text="Moscow confirmed 300 North Korean troops. Pyongyang said nothing.")
        )
        assert wait_until(lambda: core.index.lag() == 0)
        hostile = 'x" OR actors = "russia'
        counts = core.index.count_by_actor("claims", ["north-korea", "russia", hostile])
        assert counts == {"north-korea": 2, "russia": 1, hostile: 0}
        method, path, body = next(r for r in reversed(fake.requests) if r[1] == "/multi-search")
        assert method == "POST"
        assert [q["filter"] for q in body["queries"]] == [
            ['actors IN ["north-korea"]'],
            ['actors IN ["russia"]'],
            ['actors IN ["x\\" OR actors = \\"russia"]'],
        ]
    finally:
        core.close()


def test_metrics_read_the_lag_without_asking_meilisearch(tmp_path, fake):
    fake.down = True
    core = open_core(tmp_path, fake)
    try:
        core.ingest(DocumentIn(id="d1", text="Moscow spoke."))
        with TestClient(create_app(core.settings, core=core)) as client:
            health_checks = sum(1 for _, path, _ in fake.requests if path == "/health")
            metrics = client.get("/metrics").text
            assert "claimscope_index_lag 1.0" in metrics
            assert sum(1 for _, path, _ in fake.requests if path == "/health") == health_checks
    finally:
        core.close()


def run_cli(fake, *args):
    from claimscope.cli import cli
    from click.testing import CliRunner

    env = {"CLAIMSCOPE_INDEX_BACKEND": "meilisearch", "CLAIMSCOPE_MEILI_URL": fake.url}
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


def test_cli_commands_enqueue_and_only_reindex_wait_pushes(tmp_path, fake):
    article = tmp_path / "harbour.txt"
    article.write_text("The harbour board approved the timetable.")
    data = str(tmp_path / "data")
    ingested = run_cli(fake, "ingest", str(article), "--data-dir", data)
    assert ingested.exit_code == 0, ingested.output
    assert "1 writes wait in the index outbox for meilisearch" in ingested.output
    assert run_cli(fake, "extractors").exit_code == 0
    assert fake.requests == []  # nothing but the server (or a worker) talks to Meilisearch

    queued = run_cli(fake, "reindex", "--data-dir", data)
    assert queued.exit_code == 0 and "queued 1 documents for the meilisearch index" in queued.output
    assert fake.requests == []

    pushed = run_cli(fake, "reindex", "--wait", "--data-dir", data)
    assert pushed.exit_code == 0, pushed.output
    assert "reindexed 1 documents into the meilisearch index" in pushed.output
    assert [d["document_id"] for d in fake.all_documents() if d["collection"] == "documents"] == ["harbour"]


def test_reindex_wait_gives_up_with_one_line_when_meilisearch_stays_down(tmp_path, fake):
    fake.down = True
    data = str(tmp_path / "data")
    article = tmp_path / "harbour.txt"
    article.write_text("The harbour board approved the timetable.")
    assert run_cli(fake, "ingest", str(article), "--data-dir", data).exit_code == 0
    result = run_cli(fake, "reindex", "--wait", "--timeout", "1", "--data-dir", data)
    assert result.exit_code == 1
    assert "Error: 2 writes still wait in the index outbox after 1 s" in result.output


def test_the_worker_command_refuses_an_index_that_needs_none(tmp_path):
    from claimscope.cli import cli
    from click.testing import CliRunner

    env = {"CLAIMSCOPE_INDEX_BACKEND": "sqlite"}
    result = CliRunner().invoke(cli, ["worker", "--data-dir", str(tmp_path)], env=env)
    assert result.exit_code == 1 and "the sqlite index is written with the store" in result.output


def test_a_batch_is_one_request_per_index_and_kind(tmp_path, fake):
    core = open_core(tmp_path, fake, worker=False)
    try:
        assert core.drain_index(timeout=10) == 0  # the indexes exist
        fake.requests.clear()
        for n in range(30):
            core.ingest(DocumentIn(id=f"d{n}", text=f"Moscow confirmed {n} troops. Pyongyang said nothing."))
        core.ingest(DocumentIn(id="d0", text="Moscow spoke."), replace=True)
        assert core.drain_index(timeout=10) == 0
        writes = [(m, p) for m, p, _ in fake.requests if p.startswith("/indexes/test_") and "/documents" in p]
        assert sorted(writes) == sorted(
            [("POST", f"/indexes/test_{c}/documents/delete") for c in ("documents", "claims", "quotes")]
            + [("POST", f"/indexes/test_{c}/documents") for c in ("documents", "claims")]
        )
        assert len([d for d in fake.all_documents() if d["collection"] == "documents"]) == 30
    finally:
        core.close()


def test_an_index_configured_by_another_version_is_rebuilt(tmp_path, fake):
    core = open_core(tmp_path, fake, worker=False)
    try:
        core.ingest(DocumentIn(id="d1", text="Moscow confirmed 300 troops."))
        assert core.drain_index(timeout=10) == 0
        for index in fake.indexes.values():  # as an older claimscope configured it
            index.settings["filterableAttributes"].remove("document_key")
            index.documents["stale"] = {"key": "stale", "document_id": "d1", "collection": "documents"}
        assert core.drain_index(timeout=10) == 0
        assert "stale" not in {d["key"] for d in fake.all_documents()}
        assert sorted(d["collection"] for d in fake.all_documents()) == ["claims", "documents"]
    finally:
        core.close()


def test_deploy_runs_the_meilisearch_the_adapter_and_the_stand_in_are_made_for():
    from pathlib import Path

    from claimscope.index.meili import MEILISEARCH_VERSION

    from tests import fake_meili

    deploy = Path(__file__).resolve().parents[2] / "deploy"
    pinned = [
        re.findall(r"getmeili/meilisearch:(\S+)", path.read_text())
        for path in (deploy / "docker-compose.yml", deploy / "k8s" / "meilisearch.yaml")
    ]
    assert pinned == [[MEILISEARCH_VERSION], [MEILISEARCH_VERSION]]
    assert f"v{fake_meili.VERSION}" == MEILISEARCH_VERSION


def test_story_items_carry_their_facet_values_and_leave_with_their_claims(tmp_path, fake):
    core = open_core(tmp_path, fake, stories=True)
    try:
        core.ingest(DocumentIn(id="d1", source="wire", text="Moscow confirmed 300 North Korean troops."))
        core.ingest(DocumentIn(id="d2", source="daily", text="Russia confirmed 300 North Korean troops."))
        assert wait_until(lambda: core.index.lag() == 0)
        stories = [d for d in fake.all_documents() if d["collection"] == "stories"]
        assert len(stories) == 1 and stories[0]["status"] == "confirmed"
        assert sorted(stories[0]["source"]) == ["daily", "wire"] and stories[0]["payload"]["claim_count"] == 2
        core.store.delete_document("d1")
        assert wait_until(lambda: core.index.lag() == 0)
        stories = [d for d in fake.all_documents() if d["collection"] == "stories"]
        assert [s["source"] for s in stories] == [["daily"]]
        core.store.delete_document("d2")
        assert wait_until(lambda: core.index.lag() == 0 and fake.all_documents() == [])
    finally:
        core.close()
