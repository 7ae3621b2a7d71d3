"""URL ingest through a real `claimscope serve` process, configured from the environment."""

from __future__ import annotations

import threading
import time

import httpx
import pytest

from tests.e2e.conftest import Server
from tests.ingest.site import ARTICLE_TEXT

pytestmark = pytest.mark.slow


@pytest.fixture
def fetching_server(tmp_path):
    server = Server(
        tmp_path / "data",
        CLAIMSCOPE_FETCH_URLS="true",
        CLAIMSCOPE_FETCH_ALLOW="127.0.0.1/32",
        CLAIMSCOPE_FETCH_TIMEOUT_MS="2000",
    ).start()
    yield server
    server.stop()


def test_served_api_fetches_allowed_pages_refuses_the_rest_and_stays_responsive(fetching_server, site):
    api = fetching_server.url
    r = httpx.post(f"{api}/v1/documents", json={"url": f"{site.url}/hop/2"}, timeout=30)
    assert r.status_code == 201 and r.json()["text"] == ARTICLE_TEXT

    metadata = httpx.post(f"{api}/v1/documents", json={"url": "http://169.254.169.254/latest/"}, timeout=30)
    assert metadata.status_code == 422 and metadata.json()["reason"] == "address"
    assert "cloud metadata address" in metadata.json()["detail"]

    slow: dict[str, httpx.Response] = {}
    worker = threading.Thread(
        target=lambda: slow.setdefault(
            "r", httpx.post(f"{api}/v1/documents", json={"url": f"{site.url}/slow"}, timeout=30)
        )
    )
    worker.start()
    waits = []
    while worker.is_alive():
        started = time.monotonic()
        assert httpx.get(f"{api}/health", timeout=5).status_code == 200
        waits.append(time.monotonic() - started)
        time.sleep(0.1)
    worker.join()
    assert slow["r"].status_code == 422 and slow["r"].json()["reason"] == "timeout"
    assert len(waits) >= 5 and max(waits) < 1.0
