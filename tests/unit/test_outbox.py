"""The index outbox as an index author uses it: subclass OutboxIndex, be a Pusher, and the
store's writes reach the index in order, once per lease holder, refilled when the index is lost."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest
from claimscope.core import Claimscope
from claimscope.index.items import items_of
from claimscope.index.outbox import Batch, Change, Outbox, OutboxIndex, TargetLost
from claimscope.models import DocumentIn
from claimscope.settings import load_settings

from tests.fixture_plugins import Basic


class DictIndex(OutboxIndex):
    """An index kept in a dict, fed through the outbox as tantivy or Meilisearch are."""

    name = "dict"

    def __init__(self) -> None:
        super().__init__()
        self.held: dict[str, list[str]] = {}  # document id -> item ids
        self.batches: list[Batch] = []
        self.created = False  # the next apply_settings finds the target missing
        self.fail: Exception | None = None

    def apply_settings(self) -> bool:
        created, self.created = self.created, False
        return created

    def push(self, batch: Batch) -> None:
        if self.fail:
            raise self.fail
        self.batches.append(batch)
        if batch.clear:
            self.held.clear()
        for change in batch.changes:
            self.held.pop(change.document_id, None)
            if change.items is not None:
                self.held[change.document_id] = [item.id for item in change.items]

    def reachable(self) -> bool:
        return self.fail is None

    def close(self) -> None:
        pass


def open_core(data, index=None, stories=False):
    """Stories are off unless asked for: these tests count rows and changes per document."""
    conf = load_settings({}, data_dir=str(data), stories=stories)
    return Claimscope.open(conf, entry_points=False, extra_plugins=[Basic()], index=index or DictIndex())


def documents_in_store(core) -> set[str]:
    return {d.id for d in core.store.iter_documents()}


@pytest.fixture
def core(tmp_path):
    core = open_core(tmp_path)
    yield core
    core.close()


def test_writes_wait_in_the_outbox_until_a_worker_pushes_them(core):
    core.ingest(DocumentIn(id="a", text="Moscow confirmed it."))
    core.ingest(DocumentIn(id="b", text="Kyiv spoke."))
    core.ingest(DocumentIn(id="a", text="Moscow denied it. Pyongyang confirmed it."), replace=True)
    core.store.delete_document("b")
    assert core.index.held == {} and core.index.lag() == 4
    status = core.index.status()
    assert status["lag"] == 4 and status["oldest_seconds"] >= 0

    assert core.drain_index(timeout=10) == 0
    assert core.index.status() == {"ok": True, "backend": "dict", "lag": 0}
    # one batch, each document once, as stored now
    assert len(core.index.batches) == 1
    assert [c.document_id for c in core.index.batches[0].changes] == ["a", "b"]
    assert core.index.held == {"a": [item.id for item in items_of(core.store.get_document("a"))]}
    assert len(core.index.held["a"]) == 3  # the document and its two claims


def test_one_owner_at_a_time_in_order_and_a_lost_lease_acknowledges_nothing(core):
    for n in range(5):
        core.ingest(DocumentIn(id=f"d{n}", text=f"Moscow said {n} things."))
    outbox: Outbox = core.index.outbox
    first = outbox.claim("host-a:1:x", limit=2)
    assert first is not None and [d for _, _, d in first.rows] == ["d0", "d1"]
    assert outbox.claim("host-b:1:y", limit=2) is None  # a's lease is live
    again = outbox.claim("host-a:1:x", limit=3)  # the holder gets its rows again, then more
    assert [d for _, _, d in again.rows] == ["d0", "d1", "d2"]
    assert outbox.ack("host-a:1:x", first.seqs) == 2

    outbox.lease_seconds = -1
    outbox.claim("host-a:1:x", limit=1)  # a renews for no time at all: a stalled holder
    outbox.lease_seconds = 60
    taken = outbox.claim("host-b:1:y", limit=10)
    assert [d for _, _, d in taken.rows] == ["d2", "d3", "d4"]
    assert outbox.ack("host-a:1:x", again.seqs) == 0  # a lost it: its push counts for nothing
    assert outbox.lag() == 3


def test_a_rebuild_starts_its_own_batch(core):
    core.ingest(DocumentIn(id="a", text="Moscow spoke."))
    core.ingest(DocumentIn(id="b", text="Kyiv spoke."))
    claimed = core.index.outbox.claim("elsewhere:1:holder", limit=1)  # a's row is being pushed
    core.reindex()
    core.index.outbox.release("elsewhere:1:holder")
    assert core.drain_index(timeout=10) == 0
    # the row in flight survives the rebuild; the rebuild clears, then pushes every document
    assert [(b.clear, [c.document_id for c in b.changes]) for b in core.index.batches] == [
        (False, ["a"]),
        (True, ["a", "b"]),
    ]
    assert claimed is not None and core.index.held.keys() == {"a", "b"}


def test_a_failing_push_keeps_the_rows_and_says_why(core):
    core.ingest(DocumentIn(id="a", text="Moscow spoke."))
    core.index.fail = RuntimeError("disk on fire")
    assert core.drain_index(timeout=0.3, backoff=lambda attempt: 0.05) == 1
    status = core.index.status()
    assert status["ok"] is False and status["lag"] == 1
    assert status["last_error"] == "RuntimeError: disk on fire" and status["attempts"] >= 2
    core.index.fail = None
    assert core.drain_index(timeout=10) == 0 and core.index.held.keys() == {"a"}


def test_an_index_created_empty_or_lost_is_refilled_from_the_store(core):
    for n in range(3):
        core.ingest(DocumentIn(id=f"d{n}", text=f"Moscow said {n} things."))
    assert core.drain_index(timeout=10) == 0

    core.index.held.clear()  # its volume was wiped while the service was down
    core.index.created = True
    assert core.drain_index(timeout=10) == 0
    assert core.index.held.keys() == documents_in_store(core)

    core.ingest(DocumentIn(id="d9", text="Kyiv spoke."))
    core.index.held.clear()  # … or under a running worker
    core.index.fail = TargetLost("gone")
    core.start_index_worker(backoff=lambda attempt: 0.05, poll_seconds=0.02)
    time.sleep(0.2)
    core.index.fail = None
    deadline = time.monotonic() + 10
    while core.index.lag() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert core.index.held.keys() == documents_in_store(core) == {"d0", "d1", "d2", "d9"}


def test_a_lease_left_by_a_dead_process_on_this_host_is_taken_at_once(tmp_path, core):
    core.ingest(DocumentIn(id="a", text="Moscow spoke."))
    script = (
        "import sqlite3, sys\n"
        "from claimscope.index.outbox import Outbox, new_owner_id\n"
        "outbox = Outbox()\n"
        "conn = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "outbox.setup(conn, lambda: conn)\n"
        "assert outbox.claim(new_owner_id(), 10) is not None\n"  # then dies without releasing
    )
    subprocess.run([sys.executable, "-c", script, str(core.settings.db_path)], check=True, timeout=60)
    assert core.index.outbox.claim("a-live-owner:1:z", 10) is not None


def test_a_story_is_pushed_as_stored_when_the_worker_pushes(tmp_path):
    core = open_core(tmp_path, stories=True)
    try:
        core.ingest(DocumentIn(id="a", text="Moscow confirmed 300 troops."))
        core.ingest(DocumentIn(id="b", text="Russia confirmed 300 troops."))
        assert core.index.lag() == 4  # a document and its story, twice
        assert core.drain_index(timeout=10) == 0
        [story] = [c for batch in core.index.batches for c in batch.changes if c.story]
        assert [item.payload["claim_count"] for item in story.items] == [2]  # once, as it is now
        core.store.delete_document("a")
        core.store.delete_document("b")
        assert core.drain_index(timeout=10) == 0
        assert Change(story.document_id, None, story=True) in core.index.batches[-1].changes
    finally:
        core.close()
