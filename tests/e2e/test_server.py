"""The real server process over real HTTP."""

from __future__ import annotations

import json
import re
import signal

import httpx
import pytest

from tests.e2e.conftest import ROOT, run_scorer

pytestmark = pytest.mark.slow


def test_ingest_read_and_reject_over_http(server):
    with httpx.Client(base_url=server.url, timeout=60) as http:
        text = (ROOT / "seeds" / "000_fc5462c26bc650c9.txt").read_text()
        r = http.post("/v1/documents", json={"id": "seed-0", "text": text})
        assert r.status_code == 201
        doc = http.get("/v1/documents/seed-0").json()
        assert doc["text"] == text and "runs" in doc["extraction"]
        assert all(run["ok"] for run in doc["extraction"]["runs"]), doc["extraction"]["runs"]

        bad = http.post("/v1/documents", content=b'{"text": 1}', headers={"content-type": "application/json"})
        assert bad.status_code == 400 and bad.headers["content-type"].startswith("application/problem+json")
        assert "text" in bad.json()["detail"]
        assert http.get("/v1/documents").json()["items"][0]["id"] == "seed-0"
        assert len(http.get("/v1/documents").json()["items"]) == 1
        assert http.get("/ready").json()["status"] == "ready"


def test_scorer_runs_against_the_server(server):
    last = run_scorer(server.url).strip().splitlines()[-1]
    assert re.match(r"score: actors_f1=\d\.\d\d .* split_actors=\d+$", last), last


def test_logs_are_json_lines_carrying_the_request_id(server):
    r = httpx.get(server.url + "/v1/documents/nope", headers={"X-Request-ID": "trace-42"})
    assert r.status_code == 404 and r.headers["x-request-id"] == "trace-42"
    server.stop()
    entries = [json.loads(line) for line in server.log.read_text().splitlines() if line.strip()]
    access = [e for e in entries if e.get("request_id") == "trace-42"]
    assert access and access[-1]["status"] == 404 and access[-1]["path"] == "/v1/documents/nope"


def test_sigterm_shuts_down_cleanly_and_keeps_the_data(tmp_path):
    from tests.e2e.conftest import Server

    data = tmp_path / "data"
    server = Server(data).start()
    assert httpx.post(server.url + "/v1/documents", json={"id": "t", "text": "Kept."}).status_code == 201
    server.stop()  # SIGTERM
    assert server.process.returncode in (0, -signal.SIGTERM)  # uvicorn re-raises the signal once done
    assert "Application shutdown complete" in server.log.read_text()
    again = Server(data).start()
    try:
        assert httpx.get(again.url + "/v1/documents/t").json()["text"] == "Kept."
    finally:
        again.stop()


@pytest.fixture(params=["sqlite", "tantivy"])
def any_backend_server(request, tmp_path):
    from tests.e2e.conftest import Server

    srv = Server(tmp_path / "data", CLAIMSCOPE_INDEX_BACKEND=request.param).start()
    yield srv
    srv.stop()


def test_seed_claims_about_north_korean_troops_by_status_over_http(any_backend_server):
    with httpx.Client(base_url=any_backend_server.url, timeout=60) as http:
        for path in sorted((ROOT / "seeds").glob("*.txt")):
            stored = http.post("/v1/documents?wait=true", json={"id": path.stem, "text": path.read_text()})
            assert stored.status_code == 201 and stored.headers["claimscope-searchable"] == "true"
        params = {"actor": "north-korea", "status": "confirmed", "facets": "status,actor"}
        confirmed = http.get("/v1/search/claims", params=params).json()
        assert confirmed["total"] >= 3
        assert confirmed["facets"]["status"] == {"confirmed": confirmed["total"]}
        assert confirmed["facets"]["actor"]["north-korea"] == confirmed["total"]
        assert all(h["item"]["status"] == "confirmed" for h in confirmed["hits"])
        assert {h["document_id"] for h in confirmed["hits"]} >= {
            "001_4c8b468883f66ce7",
            "003_7631147d4268b412",
        }
        by_alias = http.get("/v1/search/claims", params={**params, "actor": "pyongyang"}).json()
        assert by_alias["hits"] == confirmed["hits"]
