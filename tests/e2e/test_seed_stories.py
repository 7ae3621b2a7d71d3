"""The seeds' story through a real server and the default extractors: the troop-deployment
claims of all four articles are one story that goes from unconfirmed to confirmed, whose
figures conflict, and that holds no unrelated claim.

Which claims those are is read at run time from ../shared/seeds-gold and
bench/stories_labels.json (see bench/story_gold.py).
"""

from __future__ import annotations

import json
import sys

import httpx
import msgspec
import pytest
from claimscope.models import Document

from tests.e2e.conftest import ROOT, SHARED

sys.path.insert(0, str(ROOT / "bench"))
from story_gold import LABELS, NOT_SCORED, claim_labels, seed_articles  # noqa: E402

pytestmark = pytest.mark.slow


def test_the_troop_claims_of_the_four_seeds_are_one_story(server):
    documents = []
    for article in seed_articles():
        r = httpx.post(server.url + "/v1/documents", content=msgspec.json.encode(article), timeout=60,
                       headers={"Content-Type": "application/json"})  # fmt: skip
        assert r.status_code == 201, r.text
        documents.append(msgspec.convert(r.json(), Document))
    labels = {c: label for d in documents for c, label in claim_labels(d).items()}
    troops = [c for c, label in labels.items() if label == "troops"]
    story_ids = [httpx.get(f"{server.url}/v1/claims/{c}").json()["story_id"] for c in troops]
    story_id = max(set(story_ids), key=story_ids.count)
    story = httpx.get(f"{server.url}/v1/stories/{story_id}", params={"limit": 1000}).json()

    cluster = json.loads((SHARED / "seeds-gold" / "clusters.json").read_text())[
        LABELS["gold_cluster"]["troops"]
    ]
    assert {e["document_id"] for e in story["timeline"]} == {m["doc"] for m in cluster["members"]}
    assert {"unconfirmed", "confirmed"} <= {e["status"] for e in story["timeline"]}
    assert story["status"] == "confirmed"
    # no claim the gold says is about something else
    assert all(labels[e["claim_id"]] in ("troops", NOT_SCORED) for e in story["timeline"])
    # the troop counts differ between the articles, and the conflict says where each comes from
    figures = json.loads((SHARED / "seeds-gold" / "clusters.json").read_text())[1]["members"]
    [conflict] = [
        c for c in story["conflicts"] if {m["figure"] for m in figures} <= {f["value"] for f in c["figures"]}
    ]
    assert len({f["value"] for f in conflict["figures"]}) >= 2
    assert len({f["document_id"] for f in conflict["figures"]}) >= 3
