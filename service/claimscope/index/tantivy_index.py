"""The tantivy index: an embedded Rust search engine in a directory beside the store.

tantivy cannot join the store's SQLite transaction, so it is fed through the index outbox
(:mod:`claimscope.index.outbox`): the store appends a row with each write, and the one
process holding the outbox lease pushes batches here. This module is both halves of that:
the pusher (``apply_settings``, ``push``) and the reader (``search``, ``count_by_actor``).

- **One writer.** tantivy allows one ``IndexWriter`` per directory (a lock file) and the
  outbox lease allows one drainer at a time. The writer is opened by the first push and let
  go once pushes stop for ``release_seconds``, so the next lease holder (another process)
  can take it; a push that finds the lock held fails and the outbox retries it.
- **Commits batched by count and by time.** A push is one claim of up to ``batch_rows``
  outbox rows, committed once; consecutive commits are at least ``commit_seconds`` apart,
  so a trickle of single-document writes does not become a trickle of fsyncs. A push
  returns only after its commit, so the outbox forgets a row only once it is durable here:
  kill -9 at any point loses nothing acknowledged.
- **Readers reload after each commit**: the writing process at once; every process, on its
  next search after ``meta.json`` changed (a stat per search). ``generation()`` counts the
  reloads, so a result computed at one generation can be reused until the next.
- **One index, fields per collection.** Each item is a tantivy document whose fields are
  named after its collection (``claims_body``, ``claims_actors`` …), so a query reads only
  its collection's postings and never intersects with the rest of the index, while a
  document's items are still replaced in one commit (delete by ``document_id``, add).

The query model is the SQLite index's (the contract suite holds both to it): all words must
match, the last also as a prefix, diacritics folded; keyword filters OR within and AND
across; dates compared as ISO prefixes (see :func:`day_number`), a date known to the month in
every range that overlaps the month; the first QUERY_WORDS words count; facets are the top 100
values by count (ties by value); hits by bm25, or by date with the undated last; snippets
mark the matched words and go through :func:`claimscope.index.snippets.to_html`.
"""

from __future__ import annotations

import functools
import hashlib
import os
import threading
import time
from pathlib import Path
from typing import Any, cast

import msgspec
import tantivy

from claimscope.index.base import QUERY_WORDS
from claimscope.index.items import IndexItem
from claimscope.index.outbox import Batch, Outbox, OutboxIndex, TargetLost
from claimscope.index.snippets import MARK_END, MARK_START, strip_marks, to_html
from claimscope.models import FACETS, Collection, SearchHit, SearchQuery, SearchResult

TEXT = ("body", "title")
FACET_FIELDS = {"actor": "actors", "status": "status", "claimant": "claimant", "speaker": "speaker",
                "source": "source", "month": "month"}  # fmt: skip
FILTERS = {
    "actor": "actors",
    "status": "status",
    "claimant": "claimant",
    "speaker": "speaker",
    "source": "source",
    "month": "month",
}
FACET_LIMIT = 100
SNIPPET_CHARS = 120  # about the 16 tokens of the SQLite index's snippets
EXPANSIONS = 32  # a trailing prefix that begins at most this many words is searched as those words
TEXT_IN_HIT = ("claims", "quotes")  # collections whose hits carry their body as `text`: not stored twice
FORMAT = 3  # bump when a field's options or the analyzer change (field names are in the directory name)
ANALYZER = "words"
FILLED = "filled"  # marker file: this directory has been filled from the store since its creation
NO_DATE = (-(2**62), 2**62)

_encode = msgspec.json.Encoder().encode
_decode_hit = msgspec.json.Decoder(SearchHit).decode


def analyzer() -> tantivy.TextAnalyzer:
    """Words of letters and digits, lowercased, diacritics folded (Erdoğan -> erdogan)."""
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(100))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .build()
    )


def fields_of(collection: str) -> tuple[str, ...]:
    """The fields a collection's items fill: text, date and one keyword field per facet (each
    field costs every document of the index a little, used or not)."""
    keywords = tuple(FACET_FIELDS[facet] for facet in FACETS[cast(Collection, collection)])
    return (*text_fields(collection), *keywords, "date")


def text_fields(collection: str) -> tuple[str, ...]:
    return TEXT if collection == "documents" else TEXT[:1]


def schema(collections: tuple[str, ...]) -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("document_id", tokenizer_name="raw")  # what a push replaces or deletes
    # for searches with no other clause, and (fast) for the count of a search that wants only facets
    builder.add_text_field("collection", tokenizer_name="raw", fast=True)
    builder.add_bytes_field("hit", stored=True)  # the SearchHit, as JSON
    for collection in collections:
        for name in fields_of(collection):
            field = f"{collection}_{name}"
            if name in TEXT:
                stored = name == "body" and collection not in TEXT_IN_HIT  # for snippets
                builder.add_text_field(field, stored=stored, tokenizer_name=ANALYZER)
            elif name == "date":
                builder.add_integer_field(field, indexed=True, fast=True)
                # the first and last day a date may mean (2024-11: the 1st to the 30th), for ranges
                # fast, not indexed: a range on a column is checked per candidate of the other
                # clauses, where an indexed range first unions the postings of every day in it
                builder.add_integer_field(f"{field}_first", fast=True)
                builder.add_integer_field(f"{field}_last", fast=True)
            else:
                builder.add_text_field(field, tokenizer_name="raw", fast=True)
    return builder.build()


def day_number(iso: str | None) -> int | None:
    """An ISO date or prefix as a number that orders and compares as the string does:
    2024-10-23 -> 20241023, 2024-10 -> 20241000 (before the 1st, as "2024-10" < "2024-10-01"),
    2024 -> 20240000."""
    if not iso or len(iso) < 4:
        return None
    digits = iso[0:4] + iso[5:7] + iso[8:10]
    return int(digits.ljust(8, "0")) if digits.isdigit() else None


def as_tantivy_json(item: IndexItem) -> str:
    """One item as the JSON document `IndexWriter.add_json` takes."""
    c = item.collection
    hit = {"id": item.id, "document_id": item.document_id, "item": item.payload, "date": item.date}
    fields: dict[str, Any] = {
        "document_id": owner(item),
        "collection": c,
        "hit": _encode(hit),  # bytes: msgspec writes them as base64, which tantivy expects
    }
    for name, field in _keyed(c):
        value = getattr(item, name)
        if value is not None:
            fields[field] = value
    for name, values in item.facet_values.items():  # several values: a multi-valued field
        fields[c + "_" + name] = values
    date = day_number(item.date)
    if date is not None:
        fields[c + "_date"] = date
    if date is not None and item.date and len(item.date) >= 7:  # a year alone is in no range
        fields[c + "_date_first"] = date
        fields[c + "_date_last"] = date if len(item.date) >= 10 else date + 99
    return _encode(fields).decode()


@functools.cache
def _keyed(collection: str) -> tuple[tuple[str, str], ...]:
    """(item attribute, tantivy field) for the text and keyword fields of a collection."""
    return tuple((name, f"{collection}_{name}") for name in fields_of(collection) if name != "date")


def owner(item: IndexItem) -> str:
    """What a push replaces an item by: its document, or, for a story's item, the story
    ('/' is in no document id, so the two never meet)."""
    return item.document_id or "story/" + item.id


class TantivyIndex(OutboxIndex):
    name = "tantivy"
    batch_rows = 10_000  # outbox rows per push, so per commit (the worker also caps the text per push)

    def __init__(
        self,
        directory: Path,
        *,
        outbox: Outbox | None = None,
        commit_seconds: float = 0.1,
        release_seconds: float = 1.0,
        writer_heap_bytes: int = 64_000_000,
    ) -> None:
        super().__init__(outbox)
        self.collections = tuple(FACETS)
        self.schema = schema(self.collections)
        # a directory per schema: a new one (say, a new collection) starts empty and is refilled
        shape = hashlib.sha256(repr([fields_of(c) for c in self.collections]).encode()).hexdigest()[:8]
        self.path = Path(directory) / f"v{FORMAT}-{shape}"
        self.commit_seconds = commit_seconds
        self.release_seconds = release_seconds
        self.writer_heap_bytes = writer_heap_bytes
        self._analyzer = analyzer()
        self._write_lock = threading.Lock()
        self._writer: tantivy.IndexWriter | None = None
        self._last_commit = 0.0
        self._release_timer: threading.Timer | None = None
        self._generation = 0
        self._seen: tuple[int, int] | None = None  # meta.json (mtime, size) when last reloaded
        self._index = self._open()

    def _open(self) -> tantivy.Index:
        self.path.mkdir(parents=True, exist_ok=True)
        index = tantivy.Index(self.schema, path=str(self.path), reuse=True)
        index.register_tokenizer(ANALYZER, self._analyzer)
        index.config_reader(reload_policy="manual")  # see _searcher
        self._seen = self._meta()
        self._generation += 1
        return index

    def _meta(self) -> tuple[int, int] | None:
        try:
            found = os.stat(self.path / "meta.json")
        except FileNotFoundError:
            return None
        return found.st_mtime_ns, found.st_size

    # -- the pusher: runs in the process holding the outbox lease -------------------------

    def apply_settings(self) -> bool:
        """Open (or create) the directory; True until it has been filled from the store."""
        with self._write_lock:
            if self._meta() is None:
                self._drop_writer()
                self._index = self._open()
            return not (self.path / FILLED).exists()

    def push(self, batch: Batch) -> None:
        with self._write_lock:
            if self._meta() is None:
                raise TargetLost(f"the tantivy index at {self.path} is gone")
            writer = self._writer_for_push()
            try:
                if batch.clear:
                    writer.delete_all_documents()
                for change in batch.changes:
                    term = "story/" + change.document_id if change.story else change.document_id
                    writer.delete_documents_by_term("document_id", term)
                    for item in change.items or ():
                        writer.add_json(as_tantivy_json(item))
                wait = self._last_commit + self.commit_seconds - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
                writer.commit()
            except BaseException:
                self._drop_writer(rollback=True)
                raise
            self._last_commit = time.monotonic()
            if batch.clear:
                (self.path / FILLED).touch()
            self._schedule_release()
        self._searcher()  # this process sees the commit at once

    def _writer_for_push(self) -> tantivy.IndexWriter:
        if self._release_timer is not None:
            self._release_timer.cancel()
        if self._writer is None:
            try:
                self._writer = self._index.writer(heap_size=self.writer_heap_bytes, num_threads=1)
            except ValueError as exc:  # LockBusy: the last lease holder has not let go yet
                raise WriterBusy(f"another process holds the tantivy writer at {self.path}: {exc}") from None
        return self._writer

    def _schedule_release(self) -> None:
        self._release_timer = threading.Timer(self.release_seconds, self._release_if_idle)
        self._release_timer.daemon = True
        self._release_timer.start()

    def _release_if_idle(self) -> None:
        with self._write_lock:
            if time.monotonic() - self._last_commit >= self.release_seconds:
                self._drop_writer()

    def _drop_writer(self, rollback: bool = False) -> None:
        """Let go of the writer (and its directory lock), letting merges finish first."""
        if self._release_timer is not None:
            self._release_timer.cancel()
            self._release_timer = None
        writer, self._writer = self._writer, None
        if writer is None:
            return
        if rollback:
            writer.rollback()
        writer.wait_merging_threads()

    # -- reads: in every process -----------------------------------------------------------

    def generation(self) -> int | None:
        """Counts the reloads of this process's reader; None when the index changed since the
        last one (the next search reloads). A stat, no more: cheap enough for the event loop."""
        return self._generation if self._meta() == self._seen else None

    def _searcher(self) -> tantivy.Searcher:
        meta = self._meta()
        if meta != self._seen:
            self._seen = meta
            self._index.reload()
            self._generation += 1
        return self._index.searcher()

    def search(self, query: SearchQuery) -> SearchResult:
        started = time.perf_counter()
        searcher = self._searcher()
        c = query.collection
        words = self._analyzer.analyze(query.q)[:QUERY_WORDS] if query.q else []
        text = _Text(searcher, self.schema, words, [f"{c}_{f}" for f in text_fields(c)])
        matcher = self._matcher(query, text.clauses)
        sort = query.sort or ("relevance" if words else "-date")
        # tantivy wants at least one hit; a limit of 0 still counts
        options: dict[str, Any] = {"limit": max(query.limit, 1), "count": True, "offset": query.offset}
        if sort != "relevance" or not words:
            order = tantivy.Order.Asc if sort == "date" else tantivy.Order.Desc
            options.update(order_by_field=f"{c}_date", order=order)
        if query.facets and not query.limit:  # one pass over the matches: facets and their count
            facets, total = self._facets(searcher, matcher, c, query.facets)
            return SearchResult(hits=[], total=total, facets=facets, took_ms=_since(started))
        found = searcher.search(matcher, **options)
        documents = [searcher.doc(address) for _, address in found.hits] if query.limit else []
        hits = [_decode_hit(document["hit"][0]) for document in documents]
        if hits and words:
            self._add_snippets(searcher, f"{c}_body", hits, documents, text.marked)
        facets = self._facets(searcher, matcher, c, query.facets)[0] if query.facets else {}
        return SearchResult(hits=hits, total=_count(found), facets=facets, took_ms=_since(started))

    def _matcher(self, query: SearchQuery, text: list[tantivy.Query]) -> tantivy.Query:
        """Every condition of `query` as one tantivy query (each clause must match). Every
        field is the collection's own, so the collection needs a clause only when alone."""
        c = query.collection
        clauses = list(text)
        for name, field in FILTERS.items():
            values = getattr(query, name)
            if values:  # term queries, not a term set: tantivy's set query reads every posting first
                clauses.append(
                    _any([_term(self.schema, f"{c}_{field}", value) for value in dict.fromkeys(values)])
                )
        # a date known to the month is in every range that overlaps the month
        for bound, field, low, high in (
            (query.date_from, f"{c}_date_last", day_number(query.date_from), NO_DATE[1]),
            (query.date_to, f"{c}_date_first", NO_DATE[0], day_number(query.date_to)),
        ):
            if bound:
                clauses.append(
                    tantivy.Query.range_query(self.schema, field, tantivy.FieldType.Integer, low, high)
                )
        if not clauses:
            return _term(self.schema, "collection", c)
        return tantivy.Query.boolean_query([(tantivy.Occur.Must, clause) for clause in clauses])

    def _add_snippets(
        self,
        searcher: tantivy.Searcher,
        field: str,
        hits: list[SearchHit],
        documents: list[tantivy.Document],
        marked: list[str],
    ) -> None:
        """The best passage of each hit's body, with the words the query found marked."""
        wanted = _any([_term(self.schema, field, word) for word in marked])
        generator = tantivy.SnippetGenerator.create(searcher, wanted, self.schema, field)
        generator.set_max_num_chars(SNIPPET_CHARS)
        for hit, document in zip(hits, documents, strict=True):
            body = document.get_first(field)
            if body is None:  # not stored: the hit carries it
                body = strip_marks(hit.item.get("text") or "")
                document = tantivy.Document()
                document.add_text(field, body)
            hit.snippet = to_html(_marked(generator.snippet_from_doc(document), body))

    def _facets(
        self, searcher: tantivy.Searcher, matcher: tantivy.Query, collection: str, names: list[str]
    ) -> tuple[dict[str, dict[str, int]], int]:
        """Top values by count (ties by value) over every match, counted exactly (each segment
        reports all its values, not only its own top ones); and how many matches there are."""
        request: dict[str, Any] = {
            name: {
                "terms": {
                    "field": f"{collection}_{FACET_FIELDS[name]}",
                    "size": FACET_LIMIT,
                    "segment_size": 1_000_000,
                }
            }  # fmt: skip
            for name in names
        }
        request[" total"] = {"terms": {"field": "collection"}}  # one value per item: its bucket counts them
        answer = searcher.aggregate(matcher, request)
        facets = {name: {b["key"]: b["doc_count"] for b in answer[name]["buckets"]} for name in names}
        return facets, sum(b["doc_count"] for b in answer[" total"]["buckets"])

    def count_by_actor(self, collection: str, actor_ids: list[str]) -> dict[str, int]:
        searcher = self._searcher()
        return {
            actor: _count(searcher.search(_term(self.schema, f"{collection}_actors", actor), 1, count=True))
            for actor in dict.fromkeys(actor_ids)
        }

    def reachable(self) -> bool:
        return self._meta() is not None

    def close(self) -> None:
        with self._write_lock:
            self._drop_writer()


class _Text:
    """The words of a query as tantivy clauses, one per word (found in any of `fields`), and
    the words of the index to mark in snippets.

    The last word also matches as a prefix. When it begins few words of the index, it is
    spelled out as them, so each scores by bm25 (as FTS5 scores a prefix) and is marked;
    otherwise an automaton matches them all and only the first few are marked.
    """

    def __init__(
        self, searcher: tantivy.Searcher, schema: tantivy.Schema, words: list[str], fields: list[str]
    ) -> None:
        self.clauses: list[tantivy.Query] = []
        self.marked: list[str] = list(words)
        for word in words[:-1]:
            self.clauses.append(_any([_term(schema, field, word) for field in fields]))
        if not words:
            return
        last, options = words[-1], []
        for field in fields:
            begun = [term for term, _ in searcher.terms_with_prefix(field, last, limit=EXPANSIONS + 1)]
            if len(begun) > EXPANSIONS:
                automaton = tantivy.Query.fuzzy_term_query(schema, field, last, distance=0, prefix=True)
                options += [_term(schema, field, last), automaton]
            else:
                options += [_term(schema, field, term) for term in begun]
            if field.endswith("_body"):
                self.marked += begun[:EXPANSIONS]
        self.clauses.append(_any(options) if options else tantivy.Query.empty_query())


class WriterBusy(Exception):
    """Another process still holds the tantivy writer; the outbox retries the push."""


def _since(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 3)


def _count(found: tantivy.SearchResult) -> int:
    return found.count  # type: ignore[attr-defined]  # there, but missing from tantivy's stub


def _term(schema: tantivy.Schema, field: str, value: str) -> tantivy.Query:
    return tantivy.Query.term_query(schema, field, value)


def _any(options: list[tantivy.Query]) -> tantivy.Query:
    if len(options) == 1:
        return options[0]
    return tantivy.Query.boolean_query([(tantivy.Occur.Should, option) for option in options])


def _marked(snippet: tantivy.Snippet, body: str) -> str:
    """The snippet's passage with each highlighted range between MARK_START and MARK_END,
    and an ellipsis where it cuts the body (its start when no word of it is marked).
    tantivy's ranges count UTF-8 bytes."""
    fragment = snippet.fragment().encode()
    if not fragment:
        return body if len(body) <= SNIPPET_CHARS else body[:SNIPPET_CHARS].rsplit(" ", 1)[0] + "…"
    parts: list[bytes] = []
    at = 0
    for highlight in snippet.highlighted():
        parts += [fragment[at : highlight.start], MARK_START.encode(), fragment[highlight.start : highlight.end],
                  MARK_END.encode()]  # fmt: skip
        at = highlight.end
    parts.append(fragment[at:])
    text = b"".join(parts).decode()
    span = snippet.fragment_range()
    if span.start > 0:
        text = "…" + text
    if span.end < len(body.encode()):
        text += "…"
    return text
