"""Embedded search at scale: every embedded index adapter beside its raw floor, in one run.

Generates N synthetic news documents with claims (seeded RNG) and indexes them four ways:

- the `sqlite` adapter (SQLiteFTSIndex.on_upsert in 500-document transactions) and its
  floor, hand-written SQL on bare FTS5 tables holding the same text and facet values;
- the `tantivy` adapter (TantivyIndex.push, in the batches the outbox gives it, one commit
  each) and its floor, raw tantivy: one index per collection with only the fields the
  queries read, fed the same documents in batches of the same size.

Then it times the same three query kinds on each (no HTTP, no extraction), each adapter
query followed by the same query on its floor, so a busy machine slows both alike:
full text over documents (count, top 20 by bm25, snippets), full text + actor + status +
date range over claims, and actor and status facet counts over the claims one word finds
(~10% of them). Every query matches all words, the last as a prefix, as the service does.

Run: `python bench/search.py [--docs 100000] [--queries 200]`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sqlite3
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import msgspec
import tantivy
from claimscope.index.items import items_of
from claimscope.index.outbox import Batch, Change
from claimscope.index.sqlite_fts import SQLiteFTSIndex, actor_token, fts_query
from claimscope.index.tantivy_index import EXPANSIONS, TantivyIndex, analyzer, day_number
from claimscope.models import Actor, Claim, Document, Extraction, Mention, SearchQuery
from corpus import sentence

ACTORS = [f"actor-{n:02d}" for n in range(60)]
SOURCES = [f"source-{n}" for n in range(12)]
STATUSES = ["reported"] * 6 + ["confirmed", "unconfirmed", "disputed", "denied"]
TERMS = ["troops", "drones", "confirmed", "border", "intelligence", "soldiers", "tanks", "officers", "talks"]
FACET_TERMS = ["troops", "drones", "tanks", "officers", "civilians"]  # each in ~10% of the claims
SQLITE_BATCH = 500
TANTIVY_BATCH = TantivyIndex.batch_rows
_encode = msgspec.json.Encoder().encode


def documents(count: int, seed: int = 11):
    rng = random.Random(seed)
    start = dt.date(2023, 1, 1)
    for n in range(count):
        text = " ".join(sentence(rng) for _ in range(rng.randint(3, 6)))
        day = (start + dt.timedelta(days=rng.randrange(730))).isoformat()
        actors = rng.sample(ACTORS, 3)
        claims = []
        for c in range(3):
            claim_text = sentence(rng)
            claims.append(
                Claim(
                    id=f"doc-{n}:c{c}",
                    text=claim_text,
                    start=0,
                    end=len(claim_text),
                    status=rng.choice(STATUSES),
                    claimant_id=rng.choice(actors),
                    subject_ids=rng.sample(actors, 2),
                )
            )
        extraction = Extraction(
            actors=[Actor(id=a, name=a, type="country", mentions=[Mention(a, 0, 0)]) for a in actors],
            claims=claims,
        )
        yield Document(
            id=f"doc-{n}",
            text=text,
            content_hash="x",
            ingested_at=dt.datetime.now(dt.UTC),
            extraction=extraction,
            source=rng.choice(SOURCES),
            published_at=day,
            title=f"Report {n}",
        )


def claim_actors(claim: Claim) -> list[str]:
    return list(dict.fromkeys([*claim.subject_ids, *([claim.claimant_id] if claim.claimant_id else [])]))


# -- the sqlite adapter and its FTS5 floor ---------------------------------------------------


def connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    return conn


class SQLiteAdapter:
    def __init__(self, path: Path) -> None:
        self.conn = connect(path)
        self.index = SQLiteFTSIndex()
        self.conn.execute("BEGIN")
        self.index.setup(self.conn, lambda: self.conn)
        self.conn.execute("COMMIT")

    def add(self, docs: list[Document]) -> None:
        for i in range(0, len(docs), SQLITE_BATCH):
            self.conn.execute("BEGIN")
            for doc in docs[i : i + SQLITE_BATCH]:
                self.index.on_upsert(self.conn, doc)
            self.conn.execute("COMMIT")

    def full(self, term: str) -> None:
        self.index.search(SearchQuery(collection="documents", q=term, limit=20))

    def filtered(self, term: str, actor: str, status: str, since: str, until: str) -> None:
        self.index.search(SearchQuery(collection="claims", q=term, actor=[actor], status=[status],
                                      date_from=since, date_to=until, limit=20))  # fmt: skip

    def facets(self, term: str) -> None:
        self.index.search(SearchQuery(collection="claims", q=term, facets=["actor", "status"], limit=0))


class FTS5Floor:
    """The same text and facet values in bare FTS5 tables, one per collection (actors as an
    indexed column, so an actor filter is one more term of the MATCH)."""

    SCHEMA = """
    CREATE VIRTUAL TABLE fd USING fts5(body, title, actors, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3');
    CREATE VIRTUAL TABLE fc USING fts5(body, actors, status UNINDEXED, day UNINDEXED,
                                       tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3');
    """

    def __init__(self, path: Path) -> None:
        self.conn = connect(path)
        self.conn.executescript(self.SCHEMA)

    def add(self, docs: list[Document]) -> None:
        for i in range(0, len(docs), SQLITE_BATCH):
            documents, claims = [], []
            for doc in docs[i : i + SQLITE_BATCH]:
                documents.append(
                    (doc.text, doc.title, " ".join(actor_token(a.id) for a in doc.extraction.actors))
                )
                for claim in doc.extraction.claims:
                    actors = " ".join(actor_token(a) for a in claim_actors(claim))
                    claims.append((claim.text, actors, claim.status, doc.published_at))
            self.conn.execute("BEGIN")
            self.conn.executemany("INSERT INTO fd (body, title, actors) VALUES (?,?,?)", documents)
            self.conn.executemany("INSERT INTO fc (body, actors, status, day) VALUES (?,?,?,?)", claims)
            self.conn.execute("COMMIT")

    def full(self, term: str) -> None:
        match = fts_query(term)
        self.conn.execute("SELECT count(*) FROM fd WHERE fd MATCH ?", (match,)).fetchone()
        self.conn.execute(
            "SELECT rowid, snippet(fd, 0, '<mark>', '</mark>', '…', 16) FROM fd WHERE fd MATCH ?"
            " ORDER BY rank LIMIT 20",
            (match,),
        ).fetchall()

    def filtered(self, term: str, actor: str, status: str, since: str, until: str) -> None:
        match = f"body : ({fts_query(term)}) AND actors : {actor_token(actor)}"
        where = "fc MATCH ? AND status = ? AND day BETWEEN ? AND ?"
        self.conn.execute(f"SELECT count(*) FROM fc WHERE {where}", (match, status, since, until)).fetchone()
        self.conn.execute(
            f"SELECT rowid, snippet(fc, 0, '<mark>', '</mark>', '…', 16) FROM fc WHERE {where} ORDER BY rank LIMIT 20",
            (match, status, since, until),
        ).fetchall()

    def facets(self, term: str) -> None:
        # one pass over the matching rows, counted in C (Counter) rather than by SQL sorters
        rows = self.conn.execute(
            "SELECT actors, status FROM fc WHERE fc MATCH ?", (f"body : ({fts_query(term)})",)
        ).fetchall()
        Counter(status for _, status in rows)
        Counter(actor for actors, _ in rows for actor in actors.split())


# -- the tantivy adapter and its raw floor ---------------------------------------------------


class TantivyAdapter:
    def __init__(self, path: Path) -> None:
        self.index = TantivyIndex(path)

    def add(self, docs: list[Document]) -> None:
        for i in range(0, len(docs), TANTIVY_BATCH):
            changes = [Change(doc.id, items_of(doc)) for doc in docs[i : i + TANTIVY_BATCH]]
            self.index.push(Batch(clear=False, changes=changes))
        self.index.close()  # let merges finish, as the adapter does when pushes stop

    full = SQLiteAdapter.full
    filtered = SQLiteAdapter.filtered
    facets = SQLiteAdapter.facets


class TantivyFloor:
    """Raw tantivy: one index per collection holding only what the queries read (text, actors,
    status, day), queries written by hand with the same analyzer and the same meaning."""

    def __init__(self, path: Path) -> None:
        self.analyzer = analyzer()
        builder = tantivy.SchemaBuilder()
        builder.add_text_field("body", stored=True, tokenizer_name="words")
        builder.add_text_field("title", tokenizer_name="words")
        builder.add_text_field("actors", tokenizer_name="raw", fast=True)
        builder.add_text_field("status", tokenizer_name="raw", fast=True)
        builder.add_integer_field("day", indexed=True, fast=True)
        self.schema = builder.build()
        self.indexes = {}
        for name in ("documents", "claims"):
            (path / name).mkdir(parents=True)
            index = tantivy.Index(self.schema, path=str(path / name))
            index.register_tokenizer("words", self.analyzer)
            self.indexes[name] = index

    def add(self, docs: list[Document]) -> None:
        # the adapter's writer settings: 64 MB, one indexing thread
        writers = {
            name: index.writer(heap_size=64_000_000, num_threads=1) for name, index in self.indexes.items()
        }
        for i in range(0, len(docs), TANTIVY_BATCH):
            for doc in docs[i : i + TANTIVY_BATCH]:
                actors = [a.id for a in doc.extraction.actors]
                day = day_number(doc.published_at)
                writers["documents"].add_json(
                    _encode({"body": doc.text, "title": doc.title, "actors": actors, "day": day}).decode()
                )
                for claim in doc.extraction.claims:
                    writers["claims"].add_json(
                        _encode(
                            {
                                "body": claim.text,
                                "actors": claim_actors(claim),
                                "status": claim.status,
                                "day": day,
                            }
                        ).decode()  # fmt: skip
                    )
            for writer in writers.values():
                writer.commit()
        for name, writer in writers.items():
            writer.wait_merging_threads()
            self.indexes[name].reload()

    def words(self, searcher: tantivy.Searcher, text: str, fields: tuple[str, ...]) -> list[tantivy.Query]:
        """One clause per word (in any field), the last also as a prefix, spelled out as the
        words it begins when they are few (as the adapter does)."""
        words = self.analyzer.analyze(text)
        clauses = [self.any([self.term(f, w) for f in fields]) for w in words[:-1]]
        options = []
        for field in fields:
            begun = searcher.terms_with_prefix(field, words[-1], limit=EXPANSIONS + 1)
            if len(begun) > EXPANSIONS:
                options += [self.term(field, words[-1]),
                            tantivy.Query.fuzzy_term_query(self.schema, field, words[-1], distance=0, prefix=True)]  # fmt: skip
            else:
                options += [self.term(field, term) for term, _ in begun]
        return [*clauses, self.any(options)]

    def term(self, field: str, value: str) -> tantivy.Query:
        return tantivy.Query.term_query(self.schema, field, value)

    def any(self, options: list[tantivy.Query]) -> tantivy.Query:
        return tantivy.Query.boolean_query([(tantivy.Occur.Should, q) for q in options])

    def all(self, clauses: list[tantivy.Query]) -> tantivy.Query:
        return tantivy.Query.boolean_query([(tantivy.Occur.Must, q) for q in clauses])

    def top_with_snippets(self, searcher: tantivy.Searcher, query: tantivy.Query) -> None:
        found = searcher.search(query, 20, count=True)
        generator = tantivy.SnippetGenerator.create(searcher, query, self.schema, "body")
        for _, address in found.hits:
            generator.snippet_from_doc(searcher.doc(address)).to_html()

    def full(self, term: str) -> None:
        searcher = self.indexes["documents"].searcher()
        self.top_with_snippets(searcher, self.all(self.words(searcher, term, ("body", "title"))))

    def filtered(self, term: str, actor: str, status: str, since: str, until: str) -> None:
        searcher = self.indexes["claims"].searcher()
        lowest, highest = day_number(since), day_number(until)
        clauses = [*self.words(searcher, term, ("body",)), self.term("actors", actor), self.term("status", status),
                   tantivy.Query.range_query(self.schema, "day", tantivy.FieldType.Integer, lowest, highest)]  # fmt: skip
        self.top_with_snippets(searcher, self.all(clauses))

    def facets(self, term: str) -> None:
        searcher = self.indexes["claims"].searcher()
        request = {"actor": {"terms": {"field": "actors", "size": 100}},
                   "status": {"terms": {"field": "status", "size": 100}}}  # fmt: skip
        searcher.aggregate(self.all(self.words(searcher, term, ("body",))), request)


# -- measuring -------------------------------------------------------------------------------


def indexing_rates(backend: Any, docs: list[Document]) -> tuple[float, float]:
    """Documents per second of wall time, and per second of this process's CPU time (every
    thread): the second holds still when other processes share the machine."""
    started, cpu = time.perf_counter(), time.process_time()
    backend.add(docs)
    return len(docs) / (time.perf_counter() - started), len(docs) / (time.process_time() - cpu)


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def paired(
    adapter: Callable[..., None], floor: Callable[..., None], params: list[tuple]
) -> tuple[list, list]:
    """Each query on the adapter then on its floor, in turn; milliseconds of each."""
    for args in params[:10]:  # warm the page cache
        adapter(*args), floor(*args)
    mine, raw = [], []
    for args in params:
        for fn, out in ((adapter, mine), (floor, raw)):
            started = time.perf_counter()
            fn(*args)
            out.append((time.perf_counter() - started) * 1000)
    return mine, raw


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    rng = random.Random(5)
    print(f"generating {args.docs} documents ...", flush=True)
    docs = list(documents(args.docs))

    def window():
        start = dt.date(2023, 1, 1) + dt.timedelta(days=rng.randrange(600))
        return start.isoformat(), (start + dt.timedelta(days=120)).isoformat()

    queries = {
        "full text (documents)": [(rng.choice(TERMS),) for _ in range(args.queries)],
        "full text + actor + status + dates (claims)": [
            (rng.choice(TERMS), rng.choice(ACTORS), rng.choice(["confirmed", "reported"]), *window())
            for _ in range(args.queries)
        ],
        "facets actor,status over ~10% (claims)": [(rng.choice(FACET_TERMS),) for _ in range(args.queries)],
    }
    with tempfile.TemporaryDirectory() as tmp:
        pairs = [
            ("sqlite", SQLiteAdapter(Path(tmp) / "adapter.db"), "FTS5", FTS5Floor(Path(tmp) / "floor.db")),
            ("tantivy", TantivyAdapter(Path(tmp) / "adapter"), "tantivy", TantivyFloor(Path(tmp) / "floor")),
        ]
        rows = []
        for name, adapter, floor_name, floor in pairs:
            print(f"indexing into {name} and raw {floor_name} ...", flush=True)
            (rate, cpu_rate), (floor_rate, floor_cpu) = (
                indexing_rates(adapter, docs),
                indexing_rates(floor, docs),
            )
            rows.append(
                (f"{name}: indexing, docs/s", f"{rate:,.0f}", f"{floor_rate:,.0f}", rate / floor_rate)
            )
            rows.append((f"{name}: indexing, docs per CPU second", f"{cpu_rate:,.0f}", f"{floor_cpu:,.0f}",
                         cpu_rate / floor_cpu))  # fmt: skip
            for label, params in queries.items():
                mine, raw = paired(getattr(adapter, _kind(label)), getattr(floor, _kind(label)), params)
                (m50, m99), (f50, f99) = percentiles(mine), percentiles(raw)
                rows.append((f"{name}: {label}, p50 / p99 ms", f"{m50:.2f} / {m99:.2f}", f"{f50:.2f} / {f99:.2f}",
                             m99 / f99))  # fmt: skip
        print(f"\n{'what':<70} {'adapter':>15} {'raw floor':>15} {'ratio':>6}")
        for what, mine_text, raw_text, ratio in rows:
            print(f"{what:<70} {mine_text:>15} {raw_text:>15} {ratio:6.2f}")
        print("(ratio: adapter / floor; for queries, of the p99s)")


def _kind(label: str) -> str:
    return "facets" if label.startswith("facets") else "filtered" if "actor" in label else "full"


if __name__ == "__main__":
    main()
