"""What stories cost on the ingest path: the same synthetic documents ingested with stories off
(the floor) and on, in the same run.

1. Ingest: `Claimscope.ingest` (extraction, store, the embedded SQLite index), N documents
   from bench/corpus.py (seeded RNG), each run in a fresh data directory.
2. Writes only: the documents extracted in step 1 stored again (`SQLiteStore.save_document`
   with the SQLite index), without extraction, which is most of the time in step 1: a harsher
   ratio, since what stories add is all in the write.

Run: `python bench/stories.py [--docs 10000]`.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

from claimscope.core import Claimscope
from claimscope.index.sqlite_fts import SQLiteFTSIndex
from claimscope.models import Document, DocumentIn
from claimscope.settings import load_settings
from claimscope.store.sqlite import SQLiteStore
from claimscope.stories.grouping import Stories
from corpus import article

DAY = 86_400


def articles(count: int, seed: int = 7) -> list[DocumentIn]:
    rng = random.Random(seed)
    return [
        DocumentIn(
            id=f"doc-{n}",
            text=article(rng),
            source=f"source-{rng.randrange(12)}",
            published_at=time.strftime("%Y-%m-%d", time.gmtime(1_700_000_000 + rng.randrange(365) * DAY)),
        )
        for n in range(count)
    ]


class Clock:
    """Wall-clock and CPU seconds of this process since it was made."""

    def __init__(self) -> None:
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def read(self) -> tuple[float, float]:
        return time.perf_counter() - self.wall, time.process_time() - self.cpu


def ingest(docs: list[DocumentIn], data: Path, stories: bool) -> tuple[tuple[float, float], list[Document]]:
    core = Claimscope.open(load_settings({}, data_dir=str(data), stories=stories, index_backend="sqlite"))
    try:
        clock = Clock()
        stored = [core.ingest(doc)[0] for doc in docs]
        return clock.read(), stored
    finally:
        core.close()


def writes(documents: list[Document], path: Path, stories: bool) -> tuple[float, float]:
    store = SQLiteStore(path, index=SQLiteFTSIndex(), stories=Stories() if stories else None)
    try:
        clock = Clock()
        for document in documents:
            store.save_document(document, replace=False)
        return clock.read()
    finally:
        store.close()


def story_sizes(path: Path) -> tuple[int, int]:
    store = SQLiteStore(path)
    try:
        conn = store.connection()
        stories = conn.execute("SELECT count(*) FROM stories").fetchone()[0]
        largest = conn.execute("SELECT max(n) FROM (SELECT count(*) n FROM story_claims GROUP BY story_id)")
        return stories, largest.fetchone()[0] or 0
    finally:
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=10_000)
    args = parser.parse_args()
    docs = articles(args.docs)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        off, extracted = ingest(docs, root / "off", stories=False)
        on, _ = ingest(docs, root / "on", stories=True)
        claims = sum(len(d.extraction.claims) for d in extracted)
        stories, largest = story_sizes(root / "on" / "claimscope.db")
        write_off = writes(extracted, root / "w-off.db", stories=False)
        write_on = writes(extracted, root / "w-on.db", stories=True)
    n = len(docs)
    print(f"{n} documents, {claims} claims, {stories} stories (largest: {largest} claims)")
    print("| what | clock | stories off (floor), docs/s | stories on, docs/s | on / off |")
    print("|---|---|---:|---:|---:|")
    for what, floor, with_stories in (
        ("ingest (extract, store, index)", off, on),
        ("writes only (store, index)", write_off, write_on),
    ):
        for clock, a, b in zip(("wall", "CPU"), floor, with_stories, strict=True):
            print(f"| {what} | {clock} | {n / a:,.0f} | {n / b:,.0f} | {a / b:.2f} |")


if __name__ == "__main__":
    main()
