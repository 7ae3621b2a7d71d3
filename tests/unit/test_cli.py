"""The CLI as a user runs it: one line and a non-zero exit on errors."""

import json
from pathlib import Path

import pytest
from claimscope.cli import cli, openapi_json
from claimscope.core import Claimscope
from claimscope.settings import load_settings
from click.testing import CliRunner

from tests.worker_plugins import install

ROOT = Path(__file__).resolve().parents[2]


def run(*args, env=None):
    # the index written with the store unless a test asks for another: ingest, then search at once
    env = {"CLAIMSCOPE_INDEX_BACKEND": "sqlite", **(env or {})}
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


def test_ingest_reads_every_format_continues_past_bad_files_and_fails_at_the_end(tmp_path):
    articles = tmp_path / "in"
    (articles / "nested").mkdir(parents=True)
    (articles / "one.txt").write_text("Moscow said 12 things.")
    (articles / "two.json").write_text(json.dumps({"id": "two", "title": "T", "body": "Kyiv answered."}))
    (articles / "nested" / "many.jsonl").write_text(
        json.dumps({"id": "three", "text": "Three."})
        + "\n\n"
        + json.dumps({"id": "four", "text": "Four."})
        + "\n"
    )
    (articles / "broken.json").write_text("{not json")
    (articles / "wrong.json").write_text(json.dumps({"id": "w", "text": "x", "colour": "red"}))
    (articles / "ignored.md").write_text("not an article")
    data = tmp_path / "data"
    result = run("ingest", str(articles), "--data-dir", str(data))
    assert result.exit_code == 1
    assert "4 stored, 0 unchanged, 2 failed" in result.output
    assert "broken.json" in result.output and "unknown field `colour`" in result.output

    core = Claimscope.open(load_settings({}, data_dir=str(data)), entry_points=False)
    try:
        assert {core.store.get_document(i).title for i in ("one", "two", "three", "four")} == {None, "T"}
    finally:
        core.close()

    again = run("ingest", str(articles / "one.txt"), "--data-dir", str(data))
    assert again.exit_code == 0 and "0 stored, 1 unchanged, 0 failed" in again.output


def test_ingest_with_bad_setting_is_one_line(tmp_path):
    result = run("ingest", str(tmp_path), env={"CLAIMSCOPE_INDEX_BACKEND": "nope"})
    assert result.exit_code != 0
    assert result.output.strip().count("\n") == 0 and "CLAIMSCOPE_INDEX_BACKEND" in result.output


def test_unwritable_data_directory_is_one_line_naming_it(tmp_path):
    (tmp_path / "file").write_text("not a directory")
    data = tmp_path / "file" / "data"
    for command in (["serve"], ["ingest", str(tmp_path / "file")], ["reindex"]):
        result = CliRunner().invoke(cli, [*command, "--data-dir", str(data)])
        assert result.exit_code == 1, result.output
        assert result.output.strip().count("\n") == 0 and str(data) in result.output, result.output


def test_serve_refuses_public_address_without_keys():
    result = run("serve", "--host", "0.0.0.0")
    assert result.exit_code == 1
    assert "refusing to serve on 0.0.0.0 without API keys" in result.output


def test_extractors_lists_installed_plugins_in_order():
    result = run("extractors", "--json")
    assert result.exit_code == 0
    infos = json.loads(result.output)
    assert [i["order"] for i in infos if i["enabled"]] == list(range(sum(i["enabled"] for i in infos)))


def test_committed_openapi_is_current():
    committed = (ROOT / "openapi" / "openapi.json").read_text()
    assert committed == openapi_json(), "openapi/openapi.json is stale: run `make openapi`"


def test_openapi_command_writes_the_document(tmp_path):
    out = tmp_path / "api.json"
    assert run("openapi", "-o", str(out)).exit_code == 0
    schema = json.loads(out.read_text())
    assert "/v1/documents" in schema["paths"] and "/v1/documents:batch" in schema["paths"]


@pytest.mark.parametrize("backend", ["sqlite", "tantivy"])
def test_search_and_reindex_commands(tmp_path, backend):
    data = str(tmp_path / "data")
    env = {"CLAIMSCOPE_INDEX_BACKEND": backend}
    seeds = sorted(str(p) for p in (ROOT / "seeds").glob("*.txt"))
    assert run("ingest", *seeds, "--data-dir", data, env=env).exit_code == 0
    if backend == "tantivy":  # the writes wait in the outbox until something pushes them
        assert run("reindex", "--wait", "--data-dir", data, env=env).exit_code == 0
    table = run(
        "search",
        "claims",
        "--actor",
        "pyongyang",
        "--status",
        "confirmed",
        "--facets",
        "status",
        "--data-dir",
        data,
        env=env,
    )
    assert table.exit_code == 0
    assert (
        "confirmed" in table.output
        and "status: confirmed (" in table.output
        and "unconfirmed" not in table.output
    )
    as_json = json.loads(
        run("search", "claims", "--actor", "north-korea", "--json", "--data-dir", data, env=env).output
    )
    # an actor filter finds the claims about the actor and the claims it makes
    about_or_by = [h["item"]["subject_ids"] + [h["item"]["claimant_id"]] for h in as_json["hits"]]
    assert as_json["total"] >= 1 and all("north-korea" in actors for actors in about_or_by)

    reindexed = run("reindex", "--wait", "--data-dir", data, env=env)
    assert reindexed.exit_code == 0 and "reindexed 4 documents" in reindexed.output
    again = json.loads(
        run("search", "claims", "--actor", "north-korea", "--json", "--data-dir", data, env=env).output
    )
    assert again["total"] == as_json["total"]

    bad = run("search", "claims", "--facets", "colour", "--data-dir", data, env=env)
    assert bad.exit_code == 1 and "allowed: actor, status" in bad.output


def test_search_takes_the_api_filters_and_refuses_those_of_other_collections(tmp_path):
    data = tmp_path / "data"
    article = tmp_path / "a.json"
    article.write_text(
        json.dumps(
            {"id": "a", "published_at": "2024-10-01", "text": "Moscow confirmed 300 North Korean troops."}
        )
    )
    assert run("ingest", str(article), "--data-dir", str(data)).exit_code == 0
    found = run("search", "documents", "-q", "troo", "--json", "--data-dir", str(data))
    assert found.exit_code == 0 and [h["id"] for h in json.loads(found.output)["hits"]] == ["a"]
    wrong = run("search", "documents", "--status", "confirmed", "--data-dir", str(data))
    assert wrong.exit_code == 1 and wrong.output.strip().count("\n") == 0
    assert "--status does not apply to documents" in wrong.output and "--date-from" in wrong.output


def test_stories_command_lists_and_shows_stories(tmp_path):
    data = str(tmp_path / "data")
    seeds = sorted(str(p) for p in (ROOT / "seeds").glob("*.txt"))
    assert run("ingest", *seeds, "--data-dir", data).exit_code == 0
    listed = json.loads(run("stories", "--json", "--limit", "100", "--data-dir", data).output)
    assert listed["total"] == len(listed["hits"]) >= 1
    biggest = max(listed["hits"], key=lambda h: h["item"]["document_count"])
    table = run("stories", "--status", biggest["item"]["status"], "--facets", "status", "--data-dir", data)
    assert table.exit_code == 0 and biggest["id"] in table.output and "stories" in table.output
    shown = run("stories", biggest["id"], "--data-dir", data)
    assert shown.exit_code == 0 and biggest["item"]["status"] in shown.output
    as_json = json.loads(run("stories", biggest["id"], "--json", "--data-dir", data).output)
    assert as_json["timeline_total"] == biggest["item"]["claim_count"]
    missing = run("stories", "st-nope", "--data-dir", data)
    assert missing.exit_code == 1 and "no story with id 'st-nope'" in missing.output
    bad = run("stories", "--month", "2024/10", "--data-dir", data)
    assert bad.exit_code == 1 and "is not YYYY-MM" in bad.output


def test_reextract_fills_in_what_a_switched_off_extractor_missed(tmp_path, monkeypatch):
    install(tmp_path / "site", "tests.worker_plugins.tricks")
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    articles, data = tmp_path / "in", str(tmp_path / "data")
    articles.mkdir()
    for n in range(4):
        (articles / f"a{n}.txt").write_text(f"Wait SLEEP:600 in article {n}.")
    env = {
        "CLAIMSCOPE_EXTRACTORS_ENABLED": "fixture.tricks",
        "CLAIMSCOPE_EXTRACTION_WORKERS": "1",
        "CLAIMSCOPE_EXTRACTOR_CIRCUIT_TIMEOUTS": "3",
    }
    slow = {**env, "CLAIMSCOPE_EXTRACTOR_TIMEOUT_MS": "300"}
    assert (
        "3 stored"
        in run(
            "ingest", *(str(articles / f"a{n}.txt") for n in range(3)), "--data-dir", data, env=slow
        ).output
    )
    assert "1 stored" in run("ingest", str(articles / "a3.txt"), "--data-dir", data, env=slow).output

    def tricks_runs():
        core = Claimscope.open(load_settings({}, data_dir=data), entry_points=False)
        try:
            return [core.store.get_document(f"a{n}").extraction.runs[0] for n in range(4)]
        finally:
            core.close()

    assert [r.error for r in tricks_runs()] == ["timed out after 300 ms"] * 3 + ["skipped: circuit open"]
    listed = run("extractors", "--data-dir", data, env=env).output
    assert [line.split()[-1] for line in listed.splitlines() if "fixture.tricks" in line] == ["open"]

    assert (
        run("reextract", "--data-dir", data, env=env)
        .output.strip()
        .endswith("4 re-extracted, 0 changed meanwhile and left alone")
    )
    assert all(r.ok for r in tricks_runs())
    listed = run("extractors", "--data-dir", data, env=env).output
    assert [line.split()[-1] for line in listed.splitlines() if "fixture.tricks" in line] == ["closed"]
    assert "0 re-extracted" in run("reextract", "--data-dir", data, env=env).output
    assert (
        "0 re-extracted"
        in run("reextract", "--extractor", "fixture.tricks", "--data-dir", data, env=env).output
    )
    assert "4 re-extracted" in run("reextract", "--all", "--data-dir", data, env=env).output
    unknown = run("reextract", "--extractor", "nope", "--data-dir", data, env=env)
    assert unknown.exit_code == 1 and unknown.output.startswith(
        "Error: extractor 'nope' is not installed; installed: "
    )
