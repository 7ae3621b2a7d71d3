"""Several processes on one database with the Meilisearch backend: the index ends equal to the
store, and `/ready` never reports a lag of 0 while it differs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import httpx
import pytest

from tests.e2e.conftest import Server
from tests.fake_meili import FakeMeili

pytestmark = pytest.mark.slow

FIRST = "The harbour board approved the first version of the timetable."
SECOND = "The harbour board approved the second version of the timetable."


def adds_text(fragment: str):
    def matches(method, path, body) -> bool:
        return (
            method == "POST"
            and path.endswith("_documents/documents")
            and any(fragment in item.get("body", "") for item in body or [])
        )

    return matches


def meili_env(meili: FakeMeili) -> dict[str, str]:
    return {"CLAIMSCOPE_INDEX_BACKEND": "meilisearch", "CLAIMSCOPE_MEILI_URL": meili.url}


def cli(data, meili, *args) -> subprocess.CompletedProcess:
    env = {**os.environ, "CLAIMSCOPE_DATA_DIR": str(data), **meili_env(meili)}
    return subprocess.run(
        [sys.executable, "-m", "claimscope.cli", *args], env=env, capture_output=True, text=True, timeout=120
    )


def settle(url: str, seconds: float = 60) -> dict:
    """/ready once its lag reads 0 (or the last answer when time runs out)."""
    deadline = time.monotonic() + seconds
    while True:
        ready = httpx.get(url + "/ready", timeout=10).json()
        if ready["index"]["lag"] == 0 or time.monotonic() > deadline:
            return ready
        time.sleep(0.1)


def index_texts(meili: FakeMeili) -> dict[str, list[str]]:
    """document id -> the texts the Meilisearch stand-in holds for it (documents index)."""
    held: dict[str, list[str]] = {}
    for item in meili.all_documents():
        if item["collection"] == "documents":
            held.setdefault(item["document_id"], []).append(item["body"])
    return held


def store_texts(url: str) -> dict[str, list[str]]:
    with httpx.Client(base_url=url, timeout=10) as http:
        page = http.get("/v1/documents", params={"limit": 1000}).json()
        return {s["id"]: [http.get(f"/v1/documents/{s['id']}").json()["text"]] for s in page["items"]}


def test_a_cli_write_beside_the_server_is_never_overtaken_by_an_older_push(tmp_path):
    """The issue's reproduction: the server pushes the first text of a document, slowly; a CLI
    `ingest --replace` stores the second. The second must be what the index ends with, and the
    lag reads 0 only once it is."""
    with FakeMeili() as meili:
        held = meili.hold_first(adds_text("first version"), until=adds_text("second version"), timeout=3)
        data = tmp_path / "data"
        server = Server(data, **meili_env(meili)).start()
        try:
            created = httpx.post(server.url + "/v1/documents", json={"id": "harbour", "text": FIRST})
            assert created.status_code == 201
            assert held.wait(20), "the server never pushed the first text"
            article = tmp_path / "harbour.json"
            article.write_text(json.dumps({"id": "harbour", "text": SECOND}))
            ingested = cli(data, meili, "ingest", "--replace", str(article))
            assert ingested.returncode == 0, ingested.stderr
            ready = settle(server.url)
            assert ready["index"]["lag"] == 0, ready
            assert index_texts(meili) == store_texts(server.url) == {"harbour": [SECOND]}
        finally:
            server.stop()


def test_two_servers_on_one_database_keep_the_index_equal_to_the_store(tmp_path):
    with FakeMeili() as meili:
        data = tmp_path / "data"
        servers = [Server(data, **meili_env(meili)).start() for _ in range(2)]
        try:
            for round_ in range(6):
                for n, server in enumerate(servers):
                    for doc in range(3):
                        text = f"Round {round_} of the canal survey, draft {n}, section {doc}."
                        r = httpx.put(f"{server.url}/v1/documents/canal-{doc}", json={"text": text})
                        assert r.status_code in (200, 201), r.text
            httpx.delete(f"{servers[0].url}/v1/documents/canal-2")
            for server in servers:
                assert settle(server.url)["index"]["lag"] == 0
            assert index_texts(meili) == store_texts(servers[1].url)
            assert set(index_texts(meili)) == {"canal-0", "canal-1"}
        finally:
            for server in servers:
                server.stop()
