"""Ingest through HTTP: documents per second and latency with 1 and 8 clients, on a real server.

Starts `claimscope serve` (a real process, the installed plugins, a fresh data directory),
POSTs ~5 KB synthetic articles from `bench/corpus.py` (each new, so each is extracted and
stored) from 1 client, then from 8 concurrent clients (one keep-alive connection each), and
prints docs/s, p50 and p99 latency for each.

The floor, measured in the same run, is extraction alone: `Pipeline.run` over the same kind of
articles in this process, one core, no HTTP and no store. The rates are printed as multiples of
it, so a busy machine moves the figures together.

Run: `python bench/ingest_http.py [--docs 400] [--workers N]` (`--workers` sets
CLAIMSCOPE_EXTRACTION_WORKERS for the server; omitted, the server's default).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from claimscope.models import DocumentIn
from claimscope.pipeline.manager import load_plugins
from claimscope.pipeline.runner import Pipeline
from corpus import article

SENTENCES_PER_5KB = 56


def articles(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return [article(rng, SENTENCES_PER_5KB) for _ in range(count)]


def extraction_floor(texts: list[str]) -> float:
    """Documents per second through the extractors alone, in this process."""
    plugins = load_plugins(entry_points=True)
    pipeline = Pipeline(plugins.extractors, plugins.gazetteer, timeout_ms=600_000)
    started = time.perf_counter()
    for n, text in enumerate(texts):
        pipeline.run(DocumentIn(id=f"floor-{n}", text=text))
    rate = len(texts) / (time.perf_counter() - started)
    pipeline.close()
    return rate


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(data_dir: Path, log: Path, workers: int | None) -> tuple[subprocess.Popen, int]:
    port = free_port()
    env = {**os.environ, "CLAIMSCOPE_DATA_DIR": str(data_dir), "CLAIMSCOPE_PORT": str(port)}
    if workers is not None:
        env["CLAIMSCOPE_EXTRACTION_WORKERS"] = str(workers)
    process = subprocess.Popen(
        [sys.executable, "-m", "claimscope.cli", "serve"],
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server exited: {log.read_text()[-2000:]}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            conn.request("GET", "/health")
            if conn.getresponse().status == 200:
                return process, port
        except OSError:
            time.sleep(0.1)
    raise SystemExit("server did not start in 60 s")


def ingest(port: int, bodies: list[bytes], clients: int) -> tuple[float, list[float]]:
    """POST every body from `clients` threads; returns (docs/s, latencies in ms)."""
    pending = iter(bodies)
    lock = threading.Lock()
    latencies: list[float] = []
    failures: list[str] = []

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        while True:
            with lock:
                body = next(pending, None)
            if body is None:
                break
            started = time.perf_counter()
            conn.request("POST", "/v1/documents", body, {"Content-Type": "application/json"})
            response = conn.getresponse()
            response.read()
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                latencies.append(elapsed)
                if response.status != 201:
                    failures.append(str(response.status))
        conn.close()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    rate = len(bodies) / (time.perf_counter() - started)
    if failures:
        raise SystemExit(f"{len(failures)} requests failed: {failures[:5]}")
    return rate, latencies


def cpu_seconds(pid: int) -> tuple[float, float]:
    """CPU seconds used so far by process `pid` and by its live children (the workers)."""

    def used(p: int) -> float:
        fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return used(pid), sum(used(int(c)) for c in children)


def percentile(values: list[float], p: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(p) - 1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=400, help="documents per phase")
    parser.add_argument("--workers", type=int, help="CLAIMSCOPE_EXTRACTION_WORKERS for the server")
    args = parser.parse_args()

    texts = articles(args.docs * 2 + 40, seed=5)
    size = statistics.mean(len(t.encode()) for t in texts) / 1000
    floor = extraction_floor(texts[:100])
    bodies = [json.dumps({"id": f"bench-{n}", "text": t}).encode() for n, t in enumerate(texts)]
    warmup, one, many = bodies[:40], bodies[40 : 40 + args.docs], bodies[40 + args.docs :]

    with tempfile.TemporaryDirectory() as tmp:
        process, port = start_server(Path(tmp) / "data", Path(tmp) / "server.log", args.workers)
        try:
            ingest(port, warmup, 2)
            results = []
            for clients, bodies_of_phase in ((1, one), (8, many)):
                before = cpu_seconds(process.pid)
                rate, latencies = ingest(port, bodies_of_phase, clients)
                after = cpu_seconds(process.pid)
                cpu = [(a - b) * 1000 / len(bodies_of_phase) for a, b in zip(after, before, strict=True)]
                results.append((clients, rate, latencies, cpu))
        finally:
            process.terminate()
            process.wait(timeout=30)

    print(
        f"articles: {size:.1f} KB on average, {args.docs} per phase; server workers: {args.workers or 'default'}"
    )
    print(f"floor: extraction alone in one process, {floor:.1f} docs/s")
    print("| clients | docs/s | x floor | p50 ms | p99 ms | server CPU ms/doc | workers CPU ms/doc |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for clients, rate, latencies, (server_cpu, workers_cpu) in results:
        print(
            f"| {clients} | {rate:.1f} | {rate / floor:.2f} | {percentile(latencies, 50):.1f} |"
            f" {percentile(latencies, 99):.1f} | {server_cpu:.1f} | {workers_cpu:.1f} |"
        )
    print(f"8 clients / 1 client: {results[1][1] / results[0][1]:.2f}x")


if __name__ == "__main__":
    main()
