"""Ingest through HTTP: documents per second and latency with 1 and 8 clients, on a real server.

Starts `claimscope serve` (a real process, the installed plugins, a fresh data directory),
POSTs ~5 KB synthetic articles from `bench/corpus.py` (each new, so each is extracted and
stored) from 1 client, then from 8 concurrent clients (one keep-alive connection each), in
alternating rounds (so a machine whose load changes moves both alike), and prints the median
docs/s over the rounds, p50 and p99 latency over every request, and the CPU the server process
and its extraction workers spent per document (from /proc: what the parent costs).

The floor, measured in the same run, is extraction alone: `Pipeline.run` over the same kind of
articles in this process, one core, no HTTP and no store. The rates are printed as multiples of
it, so a busy machine moves the figures together.

Run: `python bench/ingest_http.py [--docs 150] [--rounds 3] [--workers N] [--extractors a,b]`
(`--workers` sets CLAIMSCOPE_EXTRACTION_WORKERS for the server, omitted the server's default;
`--extractors` sets CLAIMSCOPE_EXTRACTORS_ENABLED for the server and the floor alike).
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
from claimscope.pipeline.runner import Pipeline, select
from claimscope.settings import load_settings
from corpus import article

SENTENCES_PER_5KB = 56


def articles(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return [article(rng, SENTENCES_PER_5KB) for _ in range(count)]


def extraction_floor(texts: list[str], enabled: list[str]) -> float:
    """Documents per second through the extractors alone, in this process."""
    plugins = load_plugins(entry_points=True)
    settings = plugins.configure(load_settings({}))
    plugins.startup(settings)
    pipeline = Pipeline(select(plugins.extractors, enabled, []), plugins.gazetteer, timeout_ms=600_000)
    for n, text in enumerate(texts[:5]):  # warm up (caches, lazily built matchers)
        pipeline.run(DocumentIn(id=f"warm-{n}", text=text))
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


def start_server(
    data_dir: Path, log: Path, workers: int | None, enabled: list[str]
) -> tuple[subprocess.Popen, int]:
    port = free_port()
    env = {**os.environ, "CLAIMSCOPE_DATA_DIR": str(data_dir), "CLAIMSCOPE_PORT": str(port)}
    if enabled:
        env["CLAIMSCOPE_EXTRACTORS_ENABLED"] = ",".join(enabled)
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
    parser.add_argument("--docs", type=int, default=150, help="documents per phase and round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--extractors", default="", help="comma-separated names (default: every installed)")
    parser.add_argument("--workers", type=int, help="CLAIMSCOPE_EXTRACTION_WORKERS for the server")
    args = parser.parse_args()

    texts = articles(args.docs * 2 * args.rounds + 40, seed=5)
    size = statistics.mean(len(t.encode()) for t in texts) / 1000
    enabled = [name for name in args.extractors.split(",") if name]
    floor = extraction_floor(texts[:100], enabled)
    bodies = [json.dumps({"id": f"bench-{n}", "text": t}).encode() for n, t in enumerate(texts)]
    warmup, rest = bodies[:40], iter(bodies[40:])

    with tempfile.TemporaryDirectory() as tmp:
        process, port = start_server(Path(tmp) / "data", Path(tmp) / "server.log", args.workers, enabled)
        try:
            ingest(port, warmup, 2)
            phases: dict[int, list[tuple[float, list[float], list[float]]]] = {1: [], 8: []}
            for _ in range(args.rounds):
                for clients in phases:
                    batch = [next(rest) for _ in range(args.docs)]
                    before = cpu_seconds(process.pid)
                    rate, latencies = ingest(port, batch, clients)
                    after = cpu_seconds(process.pid)
                    cpu = [(a - b) * 1000 / len(batch) for a, b in zip(after, before, strict=True)]
                    phases[clients].append((rate, latencies, cpu))
        finally:
            process.terminate()
            process.wait(timeout=30)

    print(
        f"articles: {size:.1f} KB on average; {args.rounds} rounds of {args.docs} per phase;"
        f" server workers: {'default' if args.workers is None else args.workers};"
        f" extractors: {args.extractors or 'every installed'}"
    )
    print(f"floor: extraction alone in one process, {floor:.1f} docs/s")
    print("| clients | docs/s | x floor | p50 ms | p99 ms | server CPU ms/doc | workers CPU ms/doc |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    rates = {}
    for clients, runs in phases.items():
        rates[clients] = statistics.median(rate for rate, _, _ in runs)
        latencies = [ms for _, run_latencies, _ in runs for ms in run_latencies]
        server_cpu = statistics.mean(cpu[0] for _, _, cpu in runs)
        workers_cpu = statistics.mean(cpu[1] for _, _, cpu in runs)
        print(
            f"| {clients} | {rates[clients]:.1f} | {rates[clients] / floor:.2f} | {percentile(latencies, 50):.1f} |"
            f" {percentile(latencies, 99):.1f} | {server_cpu:.1f} | {workers_cpu:.1f} |"
        )
    per_round = [eight[0] / one[0] for one, eight in zip(phases[1], phases[8], strict=True)]
    print(
        f"8 clients / 1 client: {rates[8] / rates[1]:.2f}x (rounds: {', '.join(f'{r:.2f}' for r in per_round)})"
    )


if __name__ == "__main__":
    main()
