"""The seeds scored through the real API by ../shared/tools/score_extractions.py.

The thresholds are the quality bars of the default extractors; the same scorer runs on
real articles that are not in this repository.
"""

from __future__ import annotations

import json

import pytest

from tests.e2e.conftest import Server, run_scorer

pytestmark = pytest.mark.slow

THRESHOLDS = {
    ("actors", "f1"): 0.90,
    ("figures", "f1"): 0.85,
    ("figures", "attribute_accuracy"): 0.90,  # unit
    ("dates", "f1"): 0.85,
    ("dates", "attribute_accuracy"): 0.90,  # value
    ("quotes", "f1"): 0.90,
    ("quotes", "attribute_accuracy"): 0.90,  # speaker
    ("claims", "f1"): 0.75,
    ("claims", "attribute_accuracy"): 0.80,  # status
}


@pytest.fixture(scope="module")
def scores(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("scores")
    server = Server(tmp / "data").start()
    try:
        out = tmp / "scores.json"
        print("\n" + run_scorer(server.url, out))
        return json.loads(out.read_text())
    finally:
        server.stop()


@pytest.mark.parametrize(("kind", "measure"), list(THRESHOLDS), ids=[f"{k}-{m}" for k, m in THRESHOLDS])
def test_seed_score_meets_the_bar(scores, kind, measure):
    assert scores[kind][measure] >= THRESHOLDS[(kind, measure)], scores[kind]


def test_no_actor_is_split_across_documents(scores):
    assert scores["actors_split_across_documents"] == []
