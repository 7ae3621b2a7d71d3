"""Concurrent load and kill -9 against the real server process: nothing acknowledged is lost."""

from __future__ import annotations

import collections
import signal
import sqlite3
import threading
import time

import httpx
import pytest

from tests.e2e.conftest import Server

pytestmark = pytest.mark.slow

ARTICLE = (
    "Ukrainian intelligence said on Tuesday that 3,000 North Korean soldiers had arrived in Russia. "
    "Moscow denied the report. “We have no such troops,” the Kremlin spokesman said. Item {n}."
)


def hammer(
    url: str,
    seconds: float,
    writers: int,
    readers: int,
    acked: list,
    statuses: collections.Counter,
    bodies: list,
):
    """`writers` threads POST new documents and `readers` threads read, until `seconds` pass."""
    stop = time.monotonic() + seconds
    lock = threading.Lock()

    def write(worker: int) -> None:
        with httpx.Client(base_url=url, timeout=30) as http:
            n = 0
            while time.monotonic() < stop:
                doc_id = f"w{worker}-{n}"
                try:
                    r = http.post("/v1/documents", json={"id": doc_id, "text": ARTICLE.format(n=doc_id)})
                except httpx.HTTPError:
                    return  # the server went away (the kill test does that)
                with lock:
                    statuses[r.status_code] += 1
                    if r.status_code in (200, 201):
                        acked.append(doc_id)
                    elif r.status_code >= 500 or "locked" in r.text:
                        bodies.append(r.text)
                n += 1

    def read(worker: int) -> None:
        with httpx.Client(base_url=url, timeout=30) as http:
            while time.monotonic() < stop:
                try:
                    for path in (
                        "/v1/documents?limit=20",
                        f"/v1/documents/w{worker}-0",
                        "/v1/search/claims?q=soldiers&actor=russia&facets=status,actor",
                        "/ready",
                    ):
                        r = http.get(path)
                        with lock:
                            statuses[r.status_code] += 1
                            if r.status_code >= 500 or "locked" in r.text:
                                bodies.append(r.text)
                except httpx.HTTPError:
                    return

    threads = [threading.Thread(target=write, args=(i,)) for i in range(writers)]
    threads += [threading.Thread(target=read, args=(i,)) for i in range(readers)]
    for t in threads:
        t.start()
    return threads


def test_32_concurrent_writers_and_readers_see_no_5xx(server):
    acked, statuses, bodies = [], collections.Counter(), []
    for t in hammer(server.url, 8, writers=16, readers=16, acked=acked, statuses=statuses, bodies=bodies):
        t.join(timeout=60)
    print(
        f"\nload: {sum(statuses.values())} requests, statuses {dict(statuses)}, {len(acked)} writes acknowledged"
    )
    assert acked, statuses
    assert not bodies, bodies[:3]
    assert not [s for s in statuses if s >= 500]
    total = httpx.get(server.url + "/ready").json()["store"]["documents"]
    assert total == len(set(acked))


@pytest.mark.parametrize("backend", ["sqlite", "tantivy"])
def test_kill_9_loses_no_acknowledged_write(tmp_path, backend):
    data = tmp_path / "data"
    env = {"CLAIMSCOPE_INDEX_BACKEND": backend}
    server = Server(data, **env).start()
    acked, statuses, bodies = [], collections.Counter(), []
    threads = hammer(server.url, 30, writers=8, readers=0, acked=acked, statuses=statuses, bodies=bodies)
    time.sleep(3)
    server.stop(signal.SIGKILL)
    for t in threads:
        t.join(timeout=60)
    assert acked, statuses

    restarted = Server(data, **env).start()
    try:
        with httpx.Client(base_url=restarted.url, timeout=30) as http:
            deadline = time.monotonic() + 60  # an index fed by the outbox catches up after the restart
            while http.get("/ready").json()["index"]["lag"] and time.monotonic() < deadline:
                time.sleep(0.2)
            missing = [i for i in acked if http.get(f"/v1/documents/{i}").status_code != 200]
            sample = http.get(f"/v1/documents/{acked[-1]}").json()
            searchable = http.get("/v1/search/documents", params={"limit": 0}).json()["total"]
            for doc_id in acked[:: max(1, len(acked) // 20)]:
                worker, n = doc_id.split("-")
                hits = http.get(
                    "/v1/search/documents", params={"q": f"item {worker} {n}", "limit": 100}
                ).json()
                assert doc_id in {h["id"] for h in hits["hits"]}, doc_id
        print(f"\nkill -9: {len(acked)} writes acknowledged, {len(acked) - len(missing)} found after restart")
        assert missing == []
        assert searchable >= len(set(acked))
        runs = sample["extraction"][
            "runs"
        ]  # every installed extractor ran (five rules, spaCy's if installed)
        assert len(runs) >= 5 and all(r["ok"] for r in runs) and sample["extraction"]["claims"]
        assert sample["text"].endswith(f"Item {acked[-1]}.")
    finally:
        restarted.stop()
    with sqlite3.connect(data / "claimscope.db") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_meilisearch_outage_and_kill_9_lose_nothing_and_duplicate_nothing(tmp_path):
    from tests.fake_meili import FakeMeili

    with FakeMeili() as meili:
        meili.down = True
        data = tmp_path / "data"
        env = {"CLAIMSCOPE_INDEX_BACKEND": "meilisearch", "CLAIMSCOPE_MEILI_URL": meili.url}
        server = Server(data, **env).start()
        acked, statuses, bodies = [], collections.Counter(), []
        threads = hammer(server.url, 30, writers=4, readers=0, acked=acked, statuses=statuses, bodies=bodies)
        time.sleep(3)
        server.stop(signal.SIGKILL)
        for t in threads:
            t.join(timeout=60)
        assert acked and not bodies, (statuses, bodies[:2])

        restarted = Server(data, **env).start()
        try:
            ready = httpx.get(restarted.url + "/ready")
            assert ready.status_code == 503
            assert ready.json()["index"]["lag"] >= len(set(acked))
            meili.down = False
            deadline = time.monotonic() + 45
            while (
                time.monotonic() < deadline and httpx.get(restarted.url + "/ready").json()["index"]["lag"] > 0
            ):
                time.sleep(0.5)
            final = httpx.get(restarted.url + "/ready").json()
            print(
                f"\nmeili outage + kill -9: {len(acked)} writes acknowledged, outbox lag after recovery {final['index']['lag']}"
            )
            assert final["status"] == "ready" and final["index"]["lag"] == 0
        finally:
            restarted.stop()
        documents = [d["document_id"] for d in meili.all_documents() if d["collection"] == "documents"]
        assert sorted(documents) == sorted(set(documents))  # no duplicates
        assert set(acked) <= set(documents)  # nothing acknowledged is missing
