"""Extraction throughput of the default extractors, in MB/s on one core, beside a regex floor.

The floor is one pass of one compiled regex (capitalised words and numbers) over the same
text: the least any extractor reading the text must do. Run: `python bench/extract.py [--mb 5]`.
"""

from __future__ import annotations

import argparse
import re
import time

from claimscope.models import DocumentIn
from claimscope.pipeline.manager import load_plugins
from claimscope.pipeline.runner import Pipeline
from corpus import corpus

FLOOR = re.compile(r"\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+)*|\d[\d,.]*")


def throughput(articles: list[str], fn) -> float:
    size = sum(len(a.encode()) for a in articles) / 1e6
    started = time.process_time()  # CPU time of this process: one core
    for text in articles:
        fn(text)
    return size / (time.process_time() - started)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=float, default=5.0)
    args = parser.parse_args()
    articles = corpus(args.mb)
    plugins = load_plugins(entry_points=True)
    size = sum(len(a.encode()) for a in articles) / 1e6
    print(f"corpus: {len(articles)} articles, {size:.1f} MB")
    floor = throughput(articles, lambda text: sum(1 for _ in FLOOR.finditer(text)))
    print(f"floor (one compiled regex pass): {floor:8.2f} MB/s")
    for label, names in [
        ("actors+dates+figures", {"rules.actors", "rules.dates", "rules.figures"}),
        ("all five rules", {"rules.actors", "rules.dates", "rules.figures", "rules.quotes", "rules.claims"}),
    ]:
        chosen = [r for r in plugins.extractors if r.name in names]  # other plugins (spaCy) left out
        pipeline = Pipeline(chosen, plugins.gazetteer, timeout_ms=600_000)
        rate = throughput(articles, lambda text, p=pipeline: p.run(DocumentIn(id="b", text=text)))
        pipeline.close()
        print(f"{label:<22}          {rate:8.2f} MB/s  ({rate / floor:.3f} of the floor)")


if __name__ == "__main__":
    main()
