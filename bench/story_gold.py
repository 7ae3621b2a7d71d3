"""The seeds' claims as stories should group them, read at run time from ../shared and
bench/stories_labels.json (nothing from the articles is kept in this repository).

Used by bench/stories_quality.py and tests/e2e/test_seed_stories.py.
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Iterator
from pathlib import Path

from claimscope.models import Document, DocumentIn

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
LABELS = json.loads((ROOT / "bench" / "stories_labels.json").read_text())
NOT_SCORED = "?"


def _scorer_module():
    spec = importlib.util.spec_from_file_location(
        "score_extractions", SHARED / "tools" / "score_extractions.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


similar = _scorer_module().similar  # the scorer's own test of "the same claim text"


def seed_articles() -> Iterator[DocumentIn]:
    """The four seeds, with published_at as in their gold."""
    for path in sorted((SHARED / "seeds").glob("*.txt")):
        gold = json.loads((SHARED / "seeds-gold" / f"{path.stem}.json").read_text())
        yield DocumentIn(id=path.stem, text=path.read_text(), published_at=gold.get("published_at"))


def dev_articles() -> Iterator[DocumentIn]:
    for path in sorted((SHARED / "dev-set" / "articles").glob("*.json")):
        a = json.loads(path.read_text())
        yield DocumentIn(
            id=str(a["id"]), text=a.get("body") or a["text"], title=a.get("title"), url=a.get("url"),
            source=a.get("source"), published_at=a.get("published_at"),
        )  # fmt: skip


def claim_labels(document: Document) -> dict[str, str | None]:
    """Each extracted claim's label: the label of the gold claim it matches (the scorer's
    test); NOT_SCORED when it matches none. Dev-set claims are each their own (labelled with
    their id), since the dev set's articles are all on different topics."""
    labels = LABELS["seeds"].get(document.id)
    if labels is None:
        return {c.id: c.id for c in document.extraction.claims}
    gold_dir = SHARED / "seeds-gold"
    gold = json.loads((gold_dir / f"{document.id}.json").read_text())["claims"]
    found: dict[str, str | None] = {}
    for claim in document.extraction.claims:
        match = next((n for n, g in enumerate(gold) if similar(claim.text, g["text"])), None)
        found[claim.id] = NOT_SCORED if match is None else labels[match]
    return found


def scored_pairs(labelled: dict[str, tuple[str, str | None]]) -> Iterator[tuple[str, str, bool]]:
    """(claim, claim, same story?) for every pair the gold decides: both labelled (not
    NOT_SCORED), and not two claims of one dev-set article (nothing says whether they agree)."""
    items = [(cid, doc, label) for cid, (doc, label) in labelled.items() if label != NOT_SCORED]
    dev = {doc for _, doc, label in items if label is not None and label.startswith(doc + ":")}
    for n, (a, doc_a, label_a) in enumerate(items):
        for b, doc_b, label_b in items[n + 1 :]:
            if doc_a == doc_b and doc_a in dev:
                continue
            yield a, b, label_a is not None and label_a == label_b
