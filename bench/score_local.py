"""Score the installed extractors on a folder of articles without starting the HTTP service.

Runs ../shared/tools/score_extractions.py with its POST replaced by an in-process pipeline
(installed plugins, a throwaway data dir), so extractor work gets the scorer's exact numbers
in a second: `python bench/score_local.py [--articles seeds --gold seeds/gold]`.
"""

from __future__ import annotations

import argparse
import importlib.util
import pathlib
import sys
import tempfile

import msgspec
from claimscope.core import Claimscope
from claimscope.models import DocumentIn
from claimscope.settings import load_settings

ROOT = pathlib.Path(__file__).resolve().parents[1]
SCORER = ROOT.parent / "shared" / "tools" / "score_extractions.py"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", default=str(ROOT / "seeds"))
    parser.add_argument("--gold", default=str(ROOT / "seeds" / "gold"))
    args = parser.parse_args()
    spec = importlib.util.spec_from_file_location("scorer", SCORER)
    scorer = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(scorer)
    with tempfile.TemporaryDirectory() as tmp:
        core = Claimscope.open(load_settings({}, data_dir=tmp))

        def post(url, payload):
            document, _ = core.ingest(msgspec.convert(payload, DocumentIn))
            return msgspec.to_builtins(document)

        scorer.post = post
        sys.argv = ["score", "--url", "local", "--articles", args.articles, "--gold", args.gold]
        try:
            scorer.main()
        finally:
            core.close()


if __name__ == "__main__":
    main()
