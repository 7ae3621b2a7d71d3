"""Embedded search at scale: indexing rate and query latency, each beside a raw FTS5 floor.

Generates N synthetic news documents with claims (seeded RNG), indexes them through
claimscope's SQLiteFTSIndex (the module the store calls, no HTTP, no extraction), and times
three query kinds through SQLiteFTSIndex.search. The floor is the same work as hand-written
SQL on a bare FTS5 table holding the same text and facet values, measured in the same run:
inserts into it, and for each query the fastest plan found (facets driven from the FTS hits).

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
from pathlib import Path

from claimscope.index.sqlite_fts import SQLiteFTSIndex, actor_token, fts_query
from claimscope.models import Actor, Claim, Document, Extraction, Mention, SearchQuery
from corpus import sentence

ACTORS = [f"actor-{n:02d}" for n in range(60)]
SOURCES = [f"source-{n}" for n in range(12)]
STATUSES = ["reported"] * 6 + ["confirmed", "unconfirmed", "disputed", "denied"]
TERMS = ["troops", "drones", "confirmed", "border", "intelligence", "soldiers", "tanks", "officers", "talks"]
FACET_TERMS = ["troops", "drones", "tanks", "officers", "civilians"]  # each in ~10% of the claims
BATCH = 500


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


def connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    return conn


def index_service(path: Path, docs: list[Document]) -> tuple[SQLiteFTSIndex, sqlite3.Connection, float]:
    conn = connect(path)
    index = SQLiteFTSIndex()
    conn.execute("BEGIN")
    index.setup(conn, lambda: conn)
    conn.execute("COMMIT")
    started = time.perf_counter()
    for i in range(0, len(docs), BATCH):
        conn.execute("BEGIN")
        for doc in docs[i : i + BATCH]:
            index.on_upsert(conn, doc)
        conn.execute("COMMIT")
    return index, conn, len(docs) / (time.perf_counter() - started)


FLOOR_SCHEMA = """
CREATE VIRTUAL TABLE fd USING fts5(body, title, actors, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3');
CREATE VIRTUAL TABLE fc USING fts5(body, actors, status UNINDEXED, day UNINDEXED,
                                   tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3');
"""


def index_floor(path: Path, docs: list[Document]) -> tuple[sqlite3.Connection, float]:
    """The same text and facet values in bare FTS5 tables, one per collection (actors as an
    indexed column, so an actor filter is one more term of the MATCH)."""
    conn = connect(path)
    conn.executescript(FLOOR_SCHEMA)
    started = time.perf_counter()
    for i in range(0, len(docs), BATCH):
        documents, claims = [], []
        for doc in docs[i : i + BATCH]:
            documents.append(
                (doc.text, doc.title, " ".join(actor_token(a.id) for a in doc.extraction.actors))
            )
            for claim in doc.extraction.claims:
                actors = " ".join(
                    actor_token(a) for a in dict.fromkeys([*claim.subject_ids, claim.claimant_id])
                )
                claims.append((claim.text, actors, claim.status, doc.published_at))
        conn.execute("BEGIN")
        conn.executemany("INSERT INTO fd (body, title, actors) VALUES (?,?,?)", documents)
        conn.executemany("INSERT INTO fc (body, actors, status, day) VALUES (?,?,?,?)", claims)
        conn.execute("COMMIT")
    return conn, len(docs) / (time.perf_counter() - started)


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def timed(fn, args_list) -> list[float]:
    out = []
    for args in args_list:
        started = time.perf_counter()
        fn(*args)
        out.append((time.perf_counter() - started) * 1000)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    rng = random.Random(5)
    print(f"generating {args.docs} documents ...", flush=True)
    docs = list(documents(args.docs))
    with tempfile.TemporaryDirectory() as tmp:
        index, conn, service_rate = index_service(Path(tmp) / "service.db", docs)
        floor, floor_rate = index_floor(Path(tmp) / "floor.db", docs)
        print(f"indexing: service {service_rate:,.0f} docs/s, floor {floor_rate:,.0f} docs/s "
              f"({service_rate / floor_rate:.2f} of the floor)")  # fmt: skip

        def window():
            start = dt.date(2023, 1, 1) + dt.timedelta(days=rng.randrange(600))
            return start.isoformat(), (start + dt.timedelta(days=120)).isoformat()

        # 1. full text over documents: total and the top 20 with snippets
        full = [(rng.choice(TERMS),) for _ in range(args.queries)]
        # 2. full text + actor + status + date range over claims
        filtered = [(rng.choice(TERMS), rng.choice(ACTORS), rng.choice(["confirmed", "reported"]), *window())
                    for _ in range(args.queries)]  # fmt: skip
        # 3. actor and status facet counts over the claims one word finds (~10% of them)
        facets = [(rng.choice(FACET_TERMS),) for _ in range(args.queries)]

        def s_full(term):
            index.search(SearchQuery(collection="documents", q=term, limit=20))

        def f_full(term):
            match = fts_query(term)
            floor.execute("SELECT count(*) FROM fd WHERE fd MATCH ?", (match,)).fetchone()
            floor.execute(
                "SELECT rowid, snippet(fd, 0, '<mark>', '</mark>', '…', 16) FROM fd WHERE fd MATCH ?"
                " ORDER BY rank LIMIT 20",
                (match,),
            ).fetchall()

        def s_filtered(term, actor, status, since, until):
            index.search(SearchQuery(collection="claims", q=term, actor=[actor], status=[status],
                                     date_from=since, date_to=until, limit=20))  # fmt: skip

        def f_filtered(term, actor, status, since, until):
            match = f"body : ({fts_query(term)}) AND actors : {actor_token(actor)}"
            where = "fc MATCH ? AND status = ? AND day BETWEEN ? AND ?"
            floor.execute(f"SELECT count(*) FROM fc WHERE {where}", (match, status, since, until)).fetchone()
            floor.execute(
                f"SELECT rowid, snippet(fc, 0, '<mark>', '</mark>', '…', 16) FROM fc WHERE {where} ORDER BY rank LIMIT 20",
                (match, status, since, until),
            ).fetchall()

        def s_facets(term):
            index.search(SearchQuery(collection="claims", q=term, facets=["actor", "status"], limit=0))

        def f_facets(term):
            # one pass over the matching rows, counted in C (Counter) rather than by SQL sorters
            rows = floor.execute(
                "SELECT actors, status FROM fc WHERE fc MATCH ?", (f"body : ({fts_query(term)})",)
            ).fetchall()
            Counter(status for _, status in rows)
            Counter(actor for actors, _ in rows for actor in actors.split())

        print(
            f"{'query':<44} {'p50 ms':>8} {'p99 ms':>8} {'floor p50':>10} {'floor p99':>10} {'p99/floor':>10}"
        )
        for label, service, raw, params in [
            ("full text (documents)", s_full, f_full, full),
            ("full text + actor + status + dates (claims)", s_filtered, f_filtered, filtered),
            ("facets actor,status over ~10% (claims)", s_facets, f_facets, facets),
        ]:
            timed(service, params[:10]), timed(raw, params[:10])  # warm the page cache
            s50, s99 = percentiles(timed(service, params))
            f50, f99 = percentiles(timed(raw, params))
            print(f"{label:<44} {s50:8.2f} {s99:8.2f} {f50:10.2f} {f99:10.2f} {s99 / f99:10.2f}")
        conn.close()
        floor.close()


if __name__ == "__main__":
    main()
