"""How fast the outbox worker empties into Meilisearch, beside a floor measured in the same run.

No Meilisearch server runs here, so the target is tests/fake_meili/ (an HTTP server in this
process): absolute figures say more about the stand-in than about Meilisearch, the ratios
are the point. Three ways to put the same N documents in the index:

- floor: the items sent by hand, one addition per index per 100 documents, waited for together;
- worker: `drain_index()` from the outbox (claims, reads the store, deletes the old items,
  adds the new, acknowledges), batches of 100 rows;
- one document per push: the same pusher given one document at a time (the shape pushes had
  before the outbox batched them: six tasks per document, each waited for).
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

import meilisearch
from claimscope.core import Claimscope
from claimscope.index.items import items_of
from claimscope.index.meili import COLLECTIONS, MeiliIndex, as_meili_document
from claimscope.index.outbox import Batch, Change
from claimscope.models import DocumentIn
from claimscope.settings import load_settings
from corpus import article

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository, for tests/
from tests.fake_meili import FakeMeili  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=2000)
    parser.add_argument("--single", type=int, default=100, help="documents pushed one at a time")
    args = parser.parse_args()
    with FakeMeili() as fake, tempfile.TemporaryDirectory() as tmp:
        fake.task_seconds = 0
        client = meilisearch.Client(fake.url, timeout=30)
        settings = load_settings({}, data_dir=tmp)
        core = Claimscope.open(settings, index=MeiliIndex(client, "bench"))
        try:
            rng = random.Random(7)
            for n in range(args.docs):
                day = f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
                core.ingest(DocumentIn(id=f"b{n}", text=article(rng, sentences=5), published_at=day))
            core.drain_index(timeout=600)  # the indexes exist and hold everything once
            documents = list(core.store.iter_documents())
            items = [as_meili_document(i) for d in documents for i in items_of(d)]
            print(f"{len(documents)} documents, {len(items)} index items")

            started = time.perf_counter()
            for first in range(0, len(documents), 100):
                batch = {d.id for d in documents[first : first + 100]}
                tasks = [
                    client.index(f"bench_{c}").add_documents(
                        [i for i in items if i["collection"] == c and i["document_id"] in batch], "key"
                    )
                    for c in COLLECTIONS
                ]
                core.index.wait_all([t.task_uid for t in tasks], time.monotonic() + 60)
            floor = time.perf_counter() - started

            core.reindex()
            started = time.perf_counter()
            assert core.drain_index(timeout=600) == 0
            worker = time.perf_counter() - started

            started = time.perf_counter()
            for document in documents[: args.single]:
                core.index.push(Batch(clear=False, changes=[Change(document.id, items_of(document))]))
            single = (time.perf_counter() - started) / min(args.single, len(documents)) * len(documents)
        finally:
            core.close()
    rate = len(documents)
    print("| what | documents/s | floor / it |")
    print("|---|---:|---:|")
    for name, seconds in [("floor: additions by hand, 100 a request", floor), ("outbox worker", worker),
                          ("one document per push", single)]:  # fmt: skip
        print(f"| {name} | {rate / seconds:,.0f} | {seconds / floor:.2f} |")


if __name__ == "__main__":
    main()
