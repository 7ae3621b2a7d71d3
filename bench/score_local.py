"""Score the installed extractors on a folder of articles without starting the HTTP service.

Runs ../shared/tools/score_extractions.py with its POST replaced by an in-process pipeline
(installed plugins, a throwaway data dir, CLAIMSCOPE_* settings from the environment), so
extractor work gets the scorer's exact numbers in a second:

    python bench/score_local.py                  # the seeds
    python bench/score_local.py --dev            # ../shared/dev-set
    CLAIMSCOPE_EXTRACTORS_DISABLED=spacy.actors,spacy.speakers python bench/score_local.py --dev
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import pathlib
import sys
import tempfile

import msgspec
from claimscope.core import Claimscope
from claimscope.models import DocumentIn
from claimscope.settings import load_settings

ROOT = pathlib.Path(__file__).resolve().parents[1]
SCORER = ROOT.parent / "shared" / "tools" / "score_extractions.py"
DEV_SET = ROOT.parent / "shared" / "dev-set"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", default=str(ROOT / "seeds"))
    parser.add_argument("--gold", default=str(ROOT / "seeds" / "gold"))
    parser.add_argument("--dev", action="store_true", help="score ../shared/dev-set")
    args = parser.parse_args()
    if args.dev:
        args.articles, args.gold = str(DEV_SET / "articles"), str(DEV_SET / "gold")
    spec = importlib.util.spec_from_file_location("scorer", SCORER)
    scorer = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(scorer)
    with tempfile.TemporaryDirectory() as tmp:
        core = Claimscope.open(load_settings(os.environ, data_dir=tmp))

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
