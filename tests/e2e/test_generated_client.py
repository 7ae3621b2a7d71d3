"""A client generated from the committed openapi/openapi.json with openapi-python-client drives
the real server: its operations carry our names and its Problem type is what errors return."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys

import pytest

from tests.e2e.conftest import ROOT

pytestmark = pytest.mark.slow
PACKAGE = "claimscope_client"
ARTICLE = (
    "Moscow confirmed that 300 North Korean troops arrived. "
    "Pyongyang denied the report, officials said on Wednesday."
)


@pytest.fixture
def generated(tmp_path):
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"package_name_override": PACKAGE, "post_hooks": []}))
    subprocess.run(
        [sys.executable, "-m", "openapi_python_client", "generate", "--meta", "none",
         "--path", str(ROOT / "openapi" / "openapi.json"), "--config", str(config),
         "--output-path", str(tmp_path / PACKAGE)],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    sys.path.insert(0, str(tmp_path))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(tmp_path))
        for name in [n for n in sys.modules if n == PACKAGE or n.startswith(PACKAGE + ".")]:
            del sys.modules[name]


def test_generated_client_creates_reads_searches_and_gets_a_typed_conflict(generated, server):
    assert generated.__name__ == PACKAGE
    # the names under test: one module per operation, named by its operationId
    from claimscope_client import Client
    from claimscope_client.api.documents import create_document, get_document
    from claimscope_client.api.operations import get_health
    from claimscope_client.api.search import search_claims
    from claimscope_client.models import Document, DocumentIn, Problem, SearchResult

    client = Client(base_url=server.url, timeout=60)
    assert get_health.sync(client=client)["status"] == "ok"

    created = create_document.sync_detailed(
        client=client, body=DocumentIn(id="gen-1", text=ARTICLE, published_at="2024-10-23")
    )
    assert created.status_code == 201 and isinstance(created.parsed, Document)
    assert created.parsed.extraction.claims

    stored = get_document.sync(client=client, document_id="gen-1")
    assert isinstance(stored, Document) and stored.text == ARTICLE

    found = search_claims.sync(client=client, actor=["north-korea"], facets="status")
    assert isinstance(found, SearchResult) and found.total >= 1
    assert {hit.document_id for hit in found.hits} == {"gen-1"}

    conflict = create_document.sync_detailed(
        client=client, body=DocumentIn(id="gen-1", text="Other words entirely.")
    )
    assert conflict.status_code == 409 and isinstance(conflict.parsed, Problem)
    assert conflict.parsed.status == 409 and "PUT" in conflict.parsed.detail

    missing = get_document.sync(client=client, document_id="nope")
    assert isinstance(missing, Problem) and missing.status == 404
