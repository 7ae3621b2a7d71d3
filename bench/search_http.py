"""Claims search with facets through HTTP, beside a bare Litestar handler on the same stack.

Builds a store of N documents (synthetic articles from corpus.py through the installed
extractors, so claims, actors and statuses are real), starts `claimscope serve` on it, and
loads it with wrk (Debian's `wrk` package: one thread, eight connections, a Lua script that
rotates through the queries). The floor is a Litestar app with one handler returning a fixed
small JSON object, served by the same uvicorn, loaded the same way, in the same run.

On a machine with two cores or more, the server is pinned to one core and wrk to another
(taskset), so the client does not eat the server's CPU. Two query mixes:

- repeated: 40 claim searches (words, statuses, actors) with facets actor,status, asked over
  and over, as dashboards and analysts paging back do: answers are reused until the index
  changes;
- distinct: every request has its own date window, so no answer is ever reused.

Run: `python bench/search_http.py [--docs 1000] [--seconds 10] [--backend tantivy]`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from claimscope.core import Claimscope
from claimscope.models import DocumentIn
from claimscope.settings import load_settings
from corpus import article

WORDS = ["troops", "drones", "soldiers", "tanks", "officers", "border", "confirmed", "intelligence"]
STATUSES = ["confirmed", "reported", "denied", "disputed", "unconfirmed"]
ACTORS = ["russia", "ukraine", "north-korea", "china", "nato"]
FLOOR_APP = """
from litestar import Litestar, get

@get("/")
async def hello() -> dict[str, str]:
    return {"hello": "world"}

app = Litestar([hello])
"""
LUA = """
paths = {%s}
distinct = %s
counter = 0
request = function()
  counter = counter + 1
  local path = paths[(counter %% #paths) + 1]
  if distinct then
    local day = 1 + (counter %% 28)
    path = path .. string.format("&date_from=2024-01-%%02d&date_to=2024-12-%%02d", day, day)
  end
  return wrk.format("GET", path)
end
"""


def build_store(data: Path, docs: int, backend: str) -> None:
    settings = load_settings({}, data_dir=str(data), index_backend=backend)
    core = Claimscope.open(settings)
    rng = random.Random(3)
    try:
        for n in range(docs):
            day = (dt.date(2024, 1, 1) + dt.timedelta(days=rng.randrange(365))).isoformat()
            core.ingest(DocumentIn(id=f"doc-{n}", text=article(rng, 10), source=f"source-{n % 7}",
                                   published_at=day, title=f"Report {n}"))  # fmt: skip
        assert core.drain_index(timeout=600) == 0
    finally:
        core.close()


def queries() -> list[str]:
    rng = random.Random(9)
    paths = []
    for n in range(40):
        params = ["facets=actor,status"]
        if n % 4 != 3:
            params.append(f"q={rng.choice(WORDS)}")
        if n % 3 == 0:
            params.append(f"status={rng.choice(STATUSES)}")
        if n % 5 == 0:
            params.append(f"actor={rng.choice(ACTORS)}")
        paths.append("/v1/search/claims?" + "&".join(params))
    return paths


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pinned(core: int | None) -> list[str]:
    return ["taskset", "-c", str(core)] if core is not None and shutil.which("taskset") else []


def serve(command: list[str], env: dict[str, str], url: str, log: Path) -> subprocess.Popen:
    process = subprocess.Popen(command, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1).status_code < 500:
                return process
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"server did not start: {log.read_text()[-2000:]}")


def wrk(url: str, paths: list[str], distinct: bool, seconds: int, core: int | None, tmp: Path) -> dict:
    script = tmp / f"paths-{distinct}.lua"
    script.write_text(LUA % (", ".join(f'"{p}"' for p in paths), "true" if distinct else "false"))
    command = [*pinned(core), "wrk", "-t1", "-c8", f"-d{seconds}s", "--latency", "-s", str(script), url]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    latency = {p: _ms(v) for p, v in re.findall(r"^\s+(50|90|99)%\s+(\S+)", out, re.M)}
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rate": rate, **latency, "errors": int(errors.group(1)) if errors else 0}


def _ms(value: str) -> float:
    number, unit = re.match(r"([\d.]+)(us|ms|s)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000}[unit]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--backend", default=None, help="index backend (default: the service's default)")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install wrk")
    two_cores = (os.cpu_count() or 1) >= 2
    server_core, client_core = (0, 1) if two_cores else (None, None)
    backend = args.backend or load_settings({}).index_backend
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        print(f"building a {args.docs}-document store on {backend} ...", flush=True)
        build_store(tmp / "data", args.docs, backend)
        port = free_port()
        env = {**os.environ, "CLAIMSCOPE_DATA_DIR": str(tmp / "data"), "CLAIMSCOPE_PORT": str(port),
               "CLAIMSCOPE_INDEX_BACKEND": backend}  # fmt: skip
        rows = []
        server = serve([*pinned(server_core), sys.executable, "-m", "claimscope.cli", "serve"], env,
                       f"http://127.0.0.1:{port}/health", tmp / "server.log")  # fmt: skip
        try:
            base = f"http://127.0.0.1:{port}"
            assert httpx.get(base + "/v1/search/claims?limit=0").json()["total"], "the store has no claims"
            for distinct in (False, True):
                rows.append((f"claims search with facets, {'distinct' if distinct else 'repeated'}",
                             wrk(base, queries(), distinct, args.seconds, client_core, tmp)))  # fmt: skip
        finally:
            server.terminate()
            server.wait(timeout=30)
        (tmp / "floor.py").write_text(FLOOR_APP)
        port = free_port()
        floor = serve([*pinned(server_core), sys.executable, "-m", "uvicorn", "--app-dir", str(tmp),
                       "--port", str(port), "--no-access-log", "--log-level", "warning", "floor:app"],
                      env, f"http://127.0.0.1:{port}/", tmp / "floor.log")  # fmt: skip
        try:
            rows.append(("floor: bare Litestar handler", wrk(f"http://127.0.0.1:{port}", ["/"], False,
                                                               args.seconds, client_core, tmp)))  # fmt: skip
        finally:
            floor.terminate()
            floor.wait(timeout=30)
    floor_rate = rows[-1][1]["rate"]
    print(
        f"\n{'what':<44} {'req/s':>8} {'p50 ms':>7} {'p90 ms':>7} {'p99 ms':>7} {'non-2xx':>8} {'/floor':>7}"
    )
    for what, r in rows:
        print(f"{what:<44} {r['rate']:8.0f} {r['50']:7.2f} {r['90']:7.2f} {r['99']:7.2f} {r['errors']:8d}"
              f" {r['rate'] / floor_rate:7.2f}")  # fmt: skip
    print(f"(wrk: 1 thread, 8 connections, {args.seconds} s each; server on CPU {server_core}, wrk on {client_core};"
          f" load average {os.getloadavg()[0]:.1f})")  # fmt: skip


if __name__ == "__main__":
    main()
