"""A real `claimscope serve` process on a free port, for tests that talk HTTP to it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.worker_plugins import install

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, data_dir: Path, **env: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "CLAIMSCOPE_DATA_DIR": str(data_dir),
            "CLAIMSCOPE_PORT": str(self.port),
            # the index written with the store, unless a test names another: tests read right after writing
            "CLAIMSCOPE_INDEX_BACKEND": "sqlite",
            **env,
        }
        self.log = data_dir.parent / f"server-{self.port}.log"
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 30) -> Server:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "claimscope.cli", "serve"],
            env=self.env,
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text()[-2000:]}")
            try:
                if httpx.get(self.url + "/health", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("server did not start in time")

    def stop(self, sig: int | None = None) -> None:
        if self.process and self.process.poll() is None:
            if sig is None:
                self.process.terminate()
            else:
                self.process.send_signal(sig)
            self.process.wait(timeout=30)


def run_scorer(url: str, json_out: Path | None = None) -> str:
    """../shared/tools/score_extractions.py on the seeds against `url`; returns its output."""
    command = [
        sys.executable,
        str(SHARED / "tools" / "score_extractions.py"),
        "--url", url,
        "--articles", str(ROOT / "seeds"),
        "--gold", str(ROOT / "seeds" / "gold"),
    ]  # fmt: skip
    if json_out is not None:
        command += ["--json", str(json_out)]
    return subprocess.run(command, capture_output=True, text=True, timeout=600, check=True).stdout


def install_plugin(site: Path, module: str) -> dict[str, str]:
    """`module` installed as a plugin package in `site`; the environment a server needs to find it."""
    install(site, module)
    return {"PYTHONPATH": os.pathsep.join([str(site), str(ROOT)])}


@pytest.fixture
def server(tmp_path):
    srv = Server(tmp_path / "data").start()
    yield srv
    srv.stop()
