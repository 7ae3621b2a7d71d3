"""`claimscope ingest` with saved pages and a list of URLs."""

from __future__ import annotations

import json

from claimscope.cli import cli
from claimscope.core import Claimscope
from claimscope.settings import load_settings
from click.testing import CliRunner

from tests.ingest.site import ARTICLE_PAGE, ARTICLE_TEXT, TITLE


def run(*args, env=None):
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


def stored(data_dir):
    core = Claimscope.open(load_settings({}, data_dir=str(data_dir)), entry_points=False)
    try:
        return {d.id: core.store.get_document(d.id) for d in core.store.list_documents(None, 100)[0]}
    finally:
        core.close()


def test_html_files_are_ingested_as_pages(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "elwin.html").write_text(ARTICLE_PAGE, encoding="utf-8")
    (tmp_path / "in" / "latin.htm").write_bytes(
        b'<html><head><meta charset="iso-8859-1"><title>Caf\xe9</title></head><body><article>'
        + b"<p>The caf\xe9 on the quay reopened on Monday after the storm, its owner said.</p>"
        + b"</article></body></html>"
    )
    result = run("ingest", str(tmp_path / "in"), "--data-dir", str(tmp_path / "data"))
    assert result.exit_code == 0, result.output
    assert "2 stored, 0 unchanged, 0 failed" in result.output
    docs = stored(tmp_path / "data")
    assert docs["elwin"].text == ARTICLE_TEXT and docs["elwin"].title == TITLE
    assert docs["latin"].text.startswith("The café on the quay") and docs["latin"].title == "Café"


def test_urls_are_fetched_and_failures_summed_up(tmp_path, site):
    urls = tmp_path / "urls.txt"
    urls.write_text(
        f"# pages to ingest\n{site.url}/article\n\n{site.url}/hop/2\n{site.url}/pdf\nhttp://10.0.0.1/\n"
    )
    listed = tmp_path / "more.jsonl"
    listed.write_text(json.dumps({"url": f"{site.url}/seed/002_ef8265ccb2895f92", "source": "seed"}) + "\n")
    env = {"CLAIMSCOPE_FETCH_ALLOW": "127.0.0.1/32"}
    result = run("ingest", str(listed), "--urls", str(urls), "--data-dir", str(tmp_path / "data"), env=env)
    assert result.exit_code == 1
    assert "2 stored, 1 unchanged, 2 failed" in result.output
    assert f"failed: {site.url}/pdf: {site.url}/pdf is application/pdf, not an HTML page" in result.output
    assert "failed: http://10.0.0.1/: refusing to fetch http://10.0.0.1/: 10.0.0.1 is a private address" in (
        result.output
    )
    docs = stored(tmp_path / "data")
    assert sorted(d.source for d in docs.values()) == ["The Coastal Ledger", "seed"]
    assert {d.url for d in docs.values()} == {f"{site.url}/article", f"{site.url}/seed/002_ef8265ccb2895f92"}


def test_no_input_is_one_line(tmp_path):
    result = run("ingest", "--data-dir", str(tmp_path / "data"))
    assert result.exit_code == 1 and "no --urls" in result.output
