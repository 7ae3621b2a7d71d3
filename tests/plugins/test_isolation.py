"""Extractors in worker processes: budgets from the start of each call, stuck or dying extractors
killed while the document goes on, circuit breakers, batches, request ids in extractor logs."""

from __future__ import annotations

import concurrent.futures
import io
import logging
import time

from claimscope.logs import JsonFormatter

from tests.worker_plugins import basic, batched, tricks

TEXT = "Pyongyang sent 300 soldiers. Moscow confirmed it."


def runs_of(doc):
    return {r["name"]: r for r in doc["extraction"]["runs"]}


def post(client, doc_id, text, **headers):
    r = client.post("/v1/documents", json={"id": doc_id, "text": text}, headers=headers or None)
    assert r.status_code == 201, r.text
    return r.json()


def test_the_budget_counts_from_the_start_of_the_call_not_from_the_queue(make_client):
    """Ten documents at once on one worker: most wait for the others far longer than the
    budget, but each call takes 200 ms of its 500."""
    client = make_client(tricks, extraction_workers=1, extractor_timeout_ms=500)
    client.post("/v1/documents", json={"id": "warm", "text": "Start the worker."})
    with concurrent.futures.ThreadPoolExecutor(10) as threads:
        docs = list(threads.map(lambda n: post(client, f"d{n}", f"Wait SLEEP:200 now {n}."), range(10)))
    for doc in docs:
        run = runs_of(doc)["fixture.tricks"]
        assert run["ok"], run
        assert 200 <= run["ms"] < 500
        assert [f["value"] for f in doc["extraction"]["figures"]] == [200]


def test_a_stuck_extractor_is_killed_and_switched_off_while_the_others_keep_working(make_client):
    client = make_client(
        basic,
        tricks,
        extraction_workers=1,
        extractor_timeout_ms=400,
        extractor_circuit_timeouts=2,
        extractor_circuit_cooldown_ms=600_000,
    )
    started = time.monotonic()
    docs = [post(client, f"d{n}", f"{TEXT} HANG") for n in range(4)]
    assert time.monotonic() - started < 30  # two budgets, not four hangs
    for n, doc in enumerate(docs):
        runs = runs_of(doc)
        assert all(runs[name]["ok"] for name in ("fixture.actors", "fixture.figures", "fixture.claims"))
        assert {a["id"] for a in doc["extraction"]["actors"]} == {"north-korea", "russia"}
        assert [c["status"] for c in doc["extraction"]["claims"]] == ["reported", "confirmed"]
        expected = "timed out after 400 ms" if n < 2 else "skipped: circuit open"
        assert runs["fixture.tricks"]["error"] == expected and not runs["fixture.tricks"]["ok"]

    ready = client.get("/ready")
    assert ready.status_code == 200
    assert ready.json()["status"] == "degraded"
    assert ready.json()["extractors"] == {"ok": False, "switched_off": ["fixture.tricks"]}
    circuits = {i["name"]: i["circuit"] for i in client.get("/v1/extractors").json()}
    assert circuits == {
        "fixture.actors": "closed",
        "fixture.figures": "closed",
        "fixture.claims": "closed",
        "fixture.tricks": "open",
    }
    assert 'claimscope_extractor_circuit_open{extractor="fixture.tricks"} 1.0' in client.get("/metrics").text


def test_after_the_cooldown_one_document_tries_again_and_a_finished_run_closes_the_circuit(make_client):
    client = make_client(
        tricks,
        extraction_workers=1,
        extractor_timeout_ms=300,
        extractor_circuit_timeouts=1,
        extractor_circuit_cooldown_ms=1500,
    )
    assert runs_of(post(client, "a", "HANG"))["fixture.tricks"]["error"].startswith("timed out")
    assert runs_of(post(client, "b", "Calm."))["fixture.tricks"]["error"] == "skipped: circuit open"
    time.sleep(1.6)
    # The trial times out: open again, for another cool-down.
    assert runs_of(post(client, "c", "HANG again"))["fixture.tricks"]["error"].startswith("timed out")
    assert runs_of(post(client, "d", "Calm again."))["fixture.tricks"]["error"] == "skipped: circuit open"
    time.sleep(1.6)
    assert runs_of(post(client, "e", "Calm at last."))["fixture.tricks"]["ok"]
    assert client.get("/ready").json()["status"] == "ready"
    assert client.get("/v1/extractors").json()[0]["circuit"] == "closed"


def test_a_worker_that_dies_is_replaced_and_the_document_keeps_the_other_results(make_client):
    client = make_client(basic, tricks, extraction_workers=1)
    doc = post(client, "a", f"{TEXT} EXIT")
    runs = runs_of(doc)
    assert runs["fixture.tricks"]["error"] == "extraction worker died (exit code 3)"
    assert all(runs[n]["ok"] for n in ("fixture.actors", "fixture.figures", "fixture.claims"))
    assert doc["extraction"]["claims"]
    assert all(r["ok"] for r in post(client, "b", TEXT)["extraction"]["runs"])


def test_a_batch_reaches_extract_many_on_every_worker(make_client):
    client = make_client(basic, batched, extraction_workers=2)
    body = {"documents": [{"id": f"d{n}", "text": f"{TEXT} BATCHME {n}"} for n in range(6)]}
    items = client.post("/v1/documents:batch", json=body).json()["items"]
    assert [i["status"] for i in items] == [201] * 6
    calls = [
        f["value"] for i in items for f in i["document"]["extraction"]["figures"] if f["text"] == "BATCHME"
    ]
    assert calls == [3] * 6  # two calls of three documents, one per worker
    assert all(r["ok"] for i in items for r in i["document"]["extraction"]["runs"])
    alone = post(client, "one", "BATCHME alone")
    assert [f["value"] for f in alone["extraction"]["figures"]] == [1]


def test_a_batch_in_process_is_one_call_of_extract_many(make_client):
    client = make_client(batched, extraction_workers=0)
    body = {"documents": [{"text": f"BATCHME {n}"} for n in range(4)] + [{"text": " "}]}
    items = client.post("/v1/documents:batch", json=body).json()["items"]
    assert [i["status"] for i in items] == [201, 201, 201, 201, 400]
    assert [i["document"]["extraction"]["figures"][0]["value"] for i in items[:4]] == [4] * 4


def test_log_lines_written_inside_an_extractor_carry_the_request_id(make_client):
    client = make_client(tricks, extraction_workers=0)
    lines = io.StringIO()
    handler = logging.StreamHandler(lines)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("fixture.tricks")
    logger.addHandler(handler)
    try:
        post(client, "a", "LOG this", **{"X-Request-ID": "trace-7"})
    finally:
        logger.removeHandler(handler)
    assert '"request_id": "trace-7"' in lines.getvalue()
