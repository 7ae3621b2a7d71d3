"""Rules alone, spaCy alone, spaCy actors with the rules, and both merged: quality, speed, latency.

One run, one table. For each configuration (set by CLAIMSCOPE_EXTRACTORS_ENABLED/_DISABLED):
- actors F1 and speaker accuracy from ../shared/tools/score_extractions.py, against a real
  `claimscope serve` on the seeds and on ../shared/dev-set;
- extraction KB/s per core: CPU time of the pipeline in this process over a synthetic corpus
  (bench/corpus.py), beside the floor of bench/extract.py (one regex pass over the same text);
- p50/p99 of one 5 KB article's ingest through HTTP (one client, distinct articles), beside
  the floor of GET /health on the same server.

Run: `python bench/extractors.py [--kb 300] [--posts 60]` (needs claimscope-spacy installed).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from claimscope.models import DocumentIn
from claimscope.pipeline.manager import load_plugins
from claimscope.pipeline.runner import Pipeline, select
from claimscope.settings import load_settings
from corpus import corpus

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SCORER = SHARED / "tools" / "score_extractions.py"
SETS = {
    "seeds": (ROOT / "seeds", ROOT / "seeds" / "gold"),
    "dev-set": (SHARED / "dev-set" / "articles", SHARED / "dev-set" / "gold"),
}
FLOOR = re.compile(r"\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+)*|\d[\d,.]*")
CONFIGS = {
    "rules alone": {"CLAIMSCOPE_EXTRACTORS_DISABLED": "spacy.actors,spacy.speakers"},
    "spaCy alone": {"CLAIMSCOPE_EXTRACTORS_ENABLED": "spacy.actors,spacy.speakers"},
    "spaCy actors, rules for the rest": {"CLAIMSCOPE_EXTRACTORS_DISABLED": "rules.actors"},
    "both merged (default)": {},
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`claimscope serve` in its own process with `env`, on a fresh data dir."""

    def __init__(self, env: dict[str, str], data_dir: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        environ = {k: v for k, v in os.environ.items() if not k.startswith("CLAIMSCOPE_")}
        environ |= {**env, "CLAIMSCOPE_DATA_DIR": data_dir, "CLAIMSCOPE_PORT": str(self.port)}
        environ["CLAIMSCOPE_LOG_LEVEL"] = "warning"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "claimscope.cli", "serve"], env=environ, stdout=subprocess.DEVNULL
        )
        for _ in range(600):
            try:
                if httpx.get(self.url + "/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("server did not start")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def score(url: str, articles: Path, gold: Path) -> dict:
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        command = [
            sys.executable,
            str(SCORER),
            "--url",
            url,
            "--articles",
            str(articles),
            "--gold",
            str(gold),
        ]
        subprocess.run([*command, "--json", out.name], check=True, capture_output=True, timeout=1800)
        return json.loads(Path(out.name).read_text())


def latencies(url: str, path: str, bodies: list[dict | None]) -> list[float]:
    times = []
    with httpx.Client(timeout=120) as client:
        for body in bodies:
            started = time.perf_counter()
            response = client.post(url + path, json=body) if body is not None else client.get(url + path)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code in (200, 201), response.text[:300]
    return times


def p(values: list[float], q: float) -> float:
    return (
        statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1] if len(values) > 1 else values[0]
    )


def articles_of(size: int, count: int, seed: int) -> list[str]:
    """`count` distinct synthetic articles of `size` bytes (consecutive corpus articles joined)."""
    texts, current = [], ""
    for text in corpus(size * count * 1.5 / 1e6, seed=seed):
        current = f"{current}\n\n{text}" if current else text
        if len(current.encode()) >= size:
            texts.append(current.encode()[:size].decode("utf-8", "ignore"))
            current = ""
    return texts[:count]


def extraction_rate(env: dict[str, str], texts: list[str]) -> float:
    """KB/s on one core: CPU time of this process running the configured pipeline."""
    plugins = load_plugins(entry_points=True)
    settings = plugins.configure(load_settings(env, data_dir=tempfile.mkdtemp()))
    plugins.startup(settings)
    chosen = select(plugins.extractors, settings.extractors_enabled, settings.extractors_disabled)
    pipeline = Pipeline(chosen, plugins.gazetteer, timeout_ms=600_000)
    try:
        pipeline.run(DocumentIn(id="warm", text=texts[0]))
        size = sum(len(t.encode()) for t in texts) / 1e3
        started = time.process_time()
        for n, text in enumerate(texts):
            pipeline.run(DocumentIn(id=str(n), text=text))
        return size / (time.process_time() - started)
    finally:
        pipeline.close()
        plugins.shutdown()


def floor_rate(texts: list[str]) -> float:
    size = sum(len(t.encode()) for t in texts) / 1e3
    started = time.process_time()
    for _ in range(20):
        for text in texts:
            sum(1 for _ in FLOOR.finditer(text))
    return 20 * size / (time.process_time() - started)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--kb", type=int, default=300, help="size of the corpus for KB/s")
    parser.add_argument("--posts", type=int, default=60, help="5 KB articles posted per configuration")
    args = parser.parse_args()
    texts = corpus(args.kb / 1e3)
    floor = floor_rate(texts)
    posts = [{"text": t} for t in articles_of(5000, args.posts, seed=7)]
    rows = []
    for label, env in CONFIGS.items():
        row: dict[str, object] = {"configuration": label}
        with tempfile.TemporaryDirectory() as tmp:
            server = Server(env, tmp)
            try:
                for name, (articles, gold) in SETS.items():
                    scores = score(server.url, articles, gold)
                    row[f"{name} actors F1"] = scores["actors"]["f1"]
                    row[f"{name} speaker acc."] = scores["quotes"]["attribute_accuracy"]
                health = latencies(server.url, "/health", [None] * args.posts)
                ingest = latencies(server.url, "/v1/documents", posts)
            finally:
                server.stop()
        rate = extraction_rate(env, texts)
        row |= {
            "KB/s per core": rate,
            "KB/s / floor": rate / floor,
            "ingest p50 ms": p(ingest, 50),
            "ingest p99 ms": p(ingest, 99),
            "p99 / floor p99": p(ingest, 99) / p(health, 99),
        }
        print(json.dumps(row), file=sys.stderr)
        rows.append(row)
    print(f"floor: one regex pass {floor:,.0f} KB/s per core; GET /health p50/p99 in each run's server")
    header = list(rows[0])
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for row in rows:
        print("| " + " | ".join(_cell(row[h]) for h in header) + " |")


def _cell(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.0f}" if value >= 10 else f"{value:.2f}" if value >= 0.1 else f"{value:.4f}"
    return str(value)


if __name__ == "__main__":
    main()
