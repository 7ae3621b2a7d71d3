"""How well stories group claims: pairwise precision and recall against the seeds' gold.

Extracts the four seeds and the twelve dev-set articles once (the installed extractors), then
groups their claims again for each scorer and threshold (documents stored in ingestion
order, as they would arrive). A pair of claims is right when the gold puts both in one story
and so do we, or neither does; see bench/story_gold.py for which pairs the gold decides:
on the seeds, bench/stories_labels.json; on the dev set (all different topics), any two
claims of different articles are different stories.

Run: `python bench/stories_quality.py [--thresholds 40,45,50,55,60]`.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from claimscope.core import Claimscope
from claimscope.models import Document
from claimscope.settings import load_settings
from claimscope.store.sqlite import SQLiteStore
from claimscope.stories.grouping import THRESHOLD, Stories
from rapidfuzz import fuzz
from story_gold import claim_labels, dev_articles, scored_pairs, seed_articles

SCORERS = {
    "token_set_ratio": fuzz.token_set_ratio,
    "token_sort_ratio": fuzz.token_sort_ratio,
    "WRatio": fuzz.WRatio,
}


def extracted(tmp: Path) -> list[Document]:
    core = Claimscope.open(load_settings({}, data_dir=str(tmp / "extract"), stories=False))
    try:
        return [core.ingest(a)[0] for a in [*seed_articles(), *dev_articles()]]
    finally:
        core.close()


def stories_of(documents: list[Document], path: Path, scorer, threshold: int) -> dict[str, str]:
    stories = Stories(threshold=threshold, scorer=scorer)
    store = SQLiteStore(path, stories=stories)
    try:
        for document in documents:
            store.save_document(document, replace=False)
        conn = store.connection()
        return {c.id: stories.story_of(conn, c.id) or "" for d in documents for c in d.extraction.claims}
    finally:
        store.close()


def precision_recall(pairs: list[tuple[str, str, bool]], story: dict[str, str]) -> tuple[float, float, int]:
    tp = fp = fn = 0
    for a, b, same in pairs:
        grouped = story[a] == story[b]
        tp += grouped and same
        fp += grouped and not same
        fn += same and not grouped
    return (tp / (tp + fp) if tp + fp else 1.0), (tp / (tp + fn) if tp + fn else 1.0), fp


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--thresholds", default="40,45,47,50,52,55,60")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        documents = extracted(Path(tmp))
        labelled = {c: (d.id, label) for d in documents for c, label in claim_labels(d).items()}
        seeds = {d.id for d in documents if not d.id.startswith("dev_")}
        seed_pairs = [
            p for p in scored_pairs(labelled) if labelled[p[0]][0] in seeds and labelled[p[1]][0] in seeds
        ]
        all_pairs = list(scored_pairs(labelled))
        print(f"{len(documents)} documents, {len(labelled)} claims; scored pairs: seeds {len(seed_pairs)}"
              f" ({sum(s for *_, s in seed_pairs)} same story), seeds + dev {len(all_pairs)}")  # fmt: skip
        print("| scorer | threshold | seeds P | seeds R | seeds + dev P | seeds + dev R | false merges |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        for name, scorer in SCORERS.items():
            for n, threshold in enumerate(int(t) for t in args.thresholds.split(",")):
                story = stories_of(documents, Path(tmp) / f"{name}-{n}.db", scorer, threshold)
                sp, sr, _ = precision_recall(seed_pairs, story)
                ap, ar, false_merges = precision_recall(all_pairs, story)
                mark = " (used)" if scorer is fuzz.token_set_ratio and threshold == THRESHOLD else ""
                print(
                    f"| {name}{mark} | {threshold} | {sp:.2f} | {sr:.2f} | {ap:.2f} | {ar:.2f} | {false_merges} |"
                )


if __name__ == "__main__":
    main()
