"""The assembled service: settings, plugins, pipeline, store and index, used by the API and the CLI."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable, Iterable
from types import ModuleType
from typing import Any

import msgspec

from claimscope.answers import Answers
from claimscope.errors import ClaimscopeError, Conflict, InvalidInput, NotFound, StorageUnavailable
from claimscope.index.base import SearchIndex
from claimscope.index.factory import build_index
from claimscope.index.items import IndexItem, story_item
from claimscope.index.outbox import OutboxIndex
from claimscope.index.sync import BATCH_ROWS, OutboxWorker
from claimscope.ingest.article import with_article
from claimscope.models import (
    Document,
    DocumentIn,
    Extraction,
    ExtractorInfo,
    ExtractorRun,
    SearchFilters,
    SearchQuery,
    SearchResult,
    parse_published_at,
)
from claimscope.pipeline.circuits import Circuits
from claimscope.pipeline.manager import Plugins, load_plugins
from claimscope.pipeline.pool import WorkerPool
from claimscope.pipeline.runner import Pipeline, order, outcome, select
from claimscope.pipeline.worker import Spec
from claimscope.query import build_query
from claimscope.settings import Settings
from claimscope.store.sqlite import SQLiteStore
from claimscope.stories.grouping import Stories
from claimscope.stories.models import Story

# C0 controls other than tab, newlines and form feeds, and DEL: never part of an article.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
MAX_METADATA_DEPTH = 16


def _depth(value: object) -> int:
    """Nesting depth of JSON-like data, without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, level)
            stack.extend((child, level + 1) for child in (item.values() if isinstance(item, dict) else item))
    return deepest


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def default_id(text: str) -> str:
    """The id of a document sent without one: derived from its text, so re-sending is idempotent."""
    return "sha256:" + content_hash(text)[:32]


def page_id(url: str) -> str:
    """The id of a page sent without one: derived from its URL (without #fragment), so one page
    is one document however often it is sent, and a changed page is a conflict, not a copy."""
    return "url:" + content_hash(url.partition("#")[0])[:32]


class Claimscope:
    """One service instance. Build it with :meth:`open`; close it when done."""

    def __init__(
        self,
        settings: Settings,
        plugins: Plugins,
        store: SQLiteStore,
        index: SearchIndex,
        *,
        workers: Spec | None = None,
    ) -> None:
        self.settings = settings
        self.plugins = plugins
        self.store = store
        self.index = index
        enabled = order(select(plugins.extractors, settings.extractors_enabled, settings.extractors_disabled))
        self.run_listeners: list[Callable[[ExtractorRun], None]] = []
        circuits = Circuits(
            {r.name: r.extractor.version for r in plugins.extractors},
            threshold=settings.extractor_circuit_timeouts,
            cooldown_s=settings.extractor_circuit_cooldown_ms / 1000,
            known=store.circuits(),
            on_change=store.save_circuit,
        )
        pool = None
        if workers is not None and enabled:
            pool = WorkerPool(workers, settings.extraction_workers, [r.name for r in enabled])
        self.pipeline = Pipeline(
            enabled,
            plugins.gazetteer,
            timeout_ms=settings.extractor_timeout_ms,
            on_run=self._notify_run,
            pool=pool,
            circuits=circuits,
        )
        self._index_worker: OutboxWorker | None = None
        self.answers = Answers()

    @classmethod
    def open(
        cls,
        settings: Settings,
        *,
        entry_points: bool = True,
        extra_plugins: Iterable[ModuleType | object] = (),
        index: SearchIndex | None = None,
    ) -> Claimscope:
        """The service over `settings`, with the installed plugins (unless `entry_points` is
        false) and `extra_plugins`.

        Extraction runs in ``settings.extraction_workers`` worker processes, which load the
        same plugins: the entry points, and extra plugins given as modules (by name). A plugin
        given as an object cannot cross to another process, so with one the extractors run in
        this process, as with ``extraction_workers=0``. The plugins' ``startup`` hook runs in
        each process that runs extractors.
        """
        extra_plugins = list(extra_plugins)
        plugins = load_plugins(entry_points=entry_points, extra=extra_plugins)
        settings = plugins.configure(settings)
        workers = None
        if settings.extraction_workers > 0 and all(isinstance(p, ModuleType) for p in extra_plugins):
            modules = tuple(p.__name__ for p in extra_plugins if isinstance(p, ModuleType))
            # Workers read the plugins' settings themselves (their classes live in the plugins).
            unbound = msgspec.structs.replace(settings, plugins={})
            workers = Spec(settings=unbound, entry_points=entry_points, modules=modules)
        try:
            index = index if index is not None else build_index(settings)
        except OSError as exc:  # an index under the data directory (tantivy) that cannot be made
            raise StorageUnavailable(
                f"cannot write the data directory {settings.data_dir}: {exc.strerror}"
            ) from None
        stories = Stories() if settings.stories else None
        store = SQLiteStore(settings.db_path, index=index, gazetteer=plugins.gazetteer, stories=stories)
        core = cls(settings, plugins, store, index, workers=workers)
        if core.pipeline.pool is None:
            try:
                plugins.startup(settings)
            except BaseException:
                core.close()
                raise
        return core

    def close(self) -> None:
        self.stop_index_worker()
        if self.pipeline.pool is None:
            self.plugins.shutdown()
        self.pipeline.close()
        self.index.close()
        self.store.close()

    def _notify_run(self, run: ExtractorRun) -> None:
        for listener in self.run_listeners:
            listener(run)

    # -- documents ---------------------------------------------------------------------

    def ingest(
        self, incoming: DocumentIn, *, replace: bool = False, document_id: str | None = None
    ) -> tuple[Document, bool]:
        """Extract and store one document; returns (document, created).

        Same id and same text returns the stored document without extracting again.
        """
        article, page, stored = self._prepare(incoming, document_id)
        if stored is not None:
            return stored, False
        return self._save(article, page, self.pipeline.run(article), replace=replace)

    def ingest_many(
        self, incoming: list[DocumentIn], *, replace: bool = False
    ) -> list[tuple[Document, bool] | ClaimscopeError]:
        """:meth:`ingest` for many documents: each ends as (document, created) or its error.

        The documents are extracted together (spread over the workers, in one call to an
        extractor's ``extract_many``), then stored one by one.
        """
        outcomes: list[tuple[Document, bool] | ClaimscopeError | None] = [None] * len(incoming)
        todo: list[tuple[int, DocumentIn, str | None]] = []
        for n, document in enumerate(incoming):
            try:
                article, page, stored = self._prepare(document, None)
            except ClaimscopeError as exc:
                outcomes[n] = exc
                continue
            if stored is not None:
                outcomes[n] = (stored, False)
            else:
                todo.append((n, article, page))
        extractions = self.pipeline.run_many([article for _, article, _ in todo])
        for (n, article, page), extraction in zip(todo, extractions, strict=True):
            try:
                outcomes[n] = self._save(article, page, extraction, replace=replace)
            except ClaimscopeError as exc:
                outcomes[n] = exc
        return [o for o in outcomes if o is not None]

    def _prepare(
        self, incoming: DocumentIn, document_id: str | None
    ) -> tuple[DocumentIn, str | None, Document | None]:
        """Check `incoming` and give it its id; returns (the article as extractors see it,
        the page it came from, the stored document when that id already holds this text)."""
        html = incoming.html
        if html is not None:
            self.check_html(incoming)
            incoming = with_article(incoming, max_elements=self.settings.max_html_elements)
        self.check_limits(incoming)
        if document_id is not None and incoming.id is not None and incoming.id != document_id:
            raise InvalidInput(
                f"`id` in the body ({incoming.id!r}) differs from the id in the path ({document_id!r})",
                field="id",
            )
        doc_id = document_id or incoming.id
        if doc_id is None:
            doc_id = page_id(incoming.url) if html is not None and incoming.url else default_id(incoming.text)
        incoming.id = doc_id
        incoming.html = None  # extractors read the text; the page stays out of their way
        stored = None
        if self.store.content_hash(doc_id) == content_hash(incoming.text):
            stored = self.store.get_document(doc_id)
        return incoming, html, stored

    def _save(
        self, article: DocumentIn, html: str | None, extraction: Extraction, *, replace: bool
    ) -> tuple[Document, bool]:
        document = Document(
            id=article.id or default_id(article.text),
            text=article.text,
            content_hash=content_hash(article.text),
            ingested_at=dt.datetime.now(dt.UTC),
            extraction=extraction,
            title=article.title,
            url=article.url,
            source=article.source,
            published_at=article.published_at,
            language=article.language,
            metadata=article.metadata,
            author=article.author,
            html_hash=content_hash(html) if html is not None else None,
            html=html if self.settings.keep_html else None,
        )
        return self.store.save_document(document, replace=replace)

    def reextract(
        self,
        *,
        extractors: list[str] | None = None,
        everything: bool = False,
        batch: int = 32,
        progress: Callable[[int], None] | None = None,
    ) -> tuple[int, int]:
        """Extract again the stored documents whose extraction is incomplete: a run of an
        enabled extractor that failed, timed out or was skipped, or is missing (the extractor
        was installed later). `extractors` narrows this to those extractors; `everything`
        takes every document. Returns (documents re-extracted, documents that changed
        meanwhile and were left alone). Each is stored as an ingest would store it.
        `progress(1)` is called for every stored document once it is dealt with.
        """
        enabled = {r.name for r in self.pipeline.extractors}
        named = {r.name for r in select(self.plugins.extractors, extractors or (), ())}  # checks the names
        wanted = (named & enabled) if extractors else enabled
        self.pipeline.circuits.retry()  # re-extracting is the retry: switched-off extractors get a trial
        done = changed = 0
        pending: list[Document] = []

        def flush() -> None:
            nonlocal done, changed
            incoming = [_as_incoming(d) for d in pending]
            for stored, extraction in zip(pending, self.pipeline.run_many(incoming), strict=True):
                try:
                    self.store.save_document(
                        msgspec.structs.replace(stored, extraction=extraction),
                        replace=True,
                        if_hash=stored.content_hash,
                    )
                    done += 1
                except Conflict:
                    changed += 1
                if progress:
                    progress(1)
            pending.clear()

        for document in self.store.iter_documents():
            if everything or _incomplete(document.extraction, wanted):
                pending.append(document)
                if len(pending) >= batch:
                    flush()
            elif progress:
                progress(1)
        flush()
        return done, changed

    def check_html(self, incoming: DocumentIn) -> None:
        """A page is sent instead of text, within the size the settings allow."""
        assert incoming.html is not None
        if incoming.text:
            raise InvalidInput("send the article as `text` or as `html`, not both", field="html")
        size = len(incoming.html.encode("utf-8", "surrogatepass"))
        if size > self.settings.max_html_bytes:
            raise InvalidInput(
                f"`html` is {size} bytes; the limit is {self.settings.max_html_bytes}", field="html"
            )

    def check_limits(self, incoming: DocumentIn) -> None:
        """What the types cannot say: blank text, sizes from settings, a real calendar date."""
        if not incoming.text:
            raise InvalidInput("`text` is required (or the page as `html`)", field="text")
        if not incoming.text.strip():
            raise InvalidInput("`text` is blank", field="text")
        if len(incoming.text) > self.settings.max_text_chars:
            raise InvalidInput(
                f"`text` has {len(incoming.text)} characters; the limit is {self.settings.max_text_chars}",
                field="text",
            )
        for name in ("text", "title", "source", "url"):
            value = getattr(incoming, name)
            if value and (bad := CONTROL_CHARACTERS.search(value)):
                raise InvalidInput(
                    f"`{name}` contains the control character U+{ord(bad.group()):04X} at {bad.start()}",
                    field=name,
                )
        try:
            parse_published_at(incoming.published_at)
        except ValueError:
            raise InvalidInput(
                f"`published_at` {incoming.published_at!r} is not a real date", field="published_at"
            ) from None
        if _depth(incoming.metadata) > MAX_METADATA_DEPTH:
            raise InvalidInput(
                f"`metadata` is nested deeper than {MAX_METADATA_DEPTH} levels", field="metadata"
            )
        metadata_size = len(json.dumps(incoming.metadata, ensure_ascii=False))
        if metadata_size > self.settings.max_metadata_bytes:
            raise InvalidInput(
                f"`metadata` is {metadata_size} bytes as JSON; the limit is {self.settings.max_metadata_bytes}",
                field="metadata",
            )

    def reindex(self, progress: Callable[[int], None] | None = None) -> int:
        """Rebuild the search index from the store alone; returns the number of documents."""
        count = 0
        with self.store.transaction() as conn:
            self.index.clear(conn)
            for document in self.store.iter_documents():
                self.index.on_upsert(conn, document)
                count += 1
                if progress:
                    progress(count)
            if self.store.stories is not None:
                for story_id, state in self.store.stories.states(conn):
                    self.index.on_stories(conn, {story_id: story_item(story_id, state)})
        return count

    # -- search ------------------------------------------------------------------------

    def search(self, filters: SearchFilters) -> SearchResult:
        """Run a search of the collection `filters` belongs to (blocking: SQLite and the index).

        Raises InvalidQuery, naming the field, for what the filter types cannot check. The
        answer is kept (see answers.py) while the index stays at the same generation.
        """
        # the generation before the search: the answer is at least that fresh, never older
        generation = self.index.generation()
        answer = self.answers.get(generation, filters)
        if answer is None:
            answer = self.index.search(self.search_query(filters))
            self.answers.put(generation, filters, answer)
        return answer

    def kept_answer(self, filters: SearchFilters) -> SearchResult | None:
        """The answer of `search` if it is kept for the index as it is now; touches no database
        (safe on the event loop)."""
        return self.answers.get(self.index.generation(), filters)

    def search_query(self, filters: SearchFilters) -> SearchQuery:
        return build_query(filters, self.resolve_actors, max_limit=self.settings.max_search_limit)

    def resolve_actors(self, values: list[str]) -> list[str]:
        """Actor ids for what a user typed: an id, a name, or any alias ("pyongyang" -> north-korea).

        A value that names no actor is kept as written, so it matches nothing rather than everything.
        """
        ids: list[str] = []
        for value in values:
            if self.store.has_actor(value):
                ids.append(value)
                continue
            entry = self.plugins.gazetteer.lookup(value)
            found = [entry.id] if entry and entry.id else self.store.actor_ids_for(value)
            ids += found or [value]
        return list(dict.fromkeys(ids))

    # -- the index outbox (Meilisearch and other indexes outside the store's transaction) --

    def _outbox_worker(self, **options: Any) -> OutboxWorker | None:
        """A new outbox worker (its own lease owner), or None when the index needs none."""
        if not isinstance(self.index, OutboxIndex):
            return None
        options.setdefault("batch_rows", getattr(self.index, "batch_rows", BATCH_ROWS))
        return OutboxWorker(
            self.index.outbox, self.index, self.store.get_document, refill=self.reindex,
            load_story=self.story_item, **options,
        )  # fmt: skip

    def start_index_worker(self, **options: Any) -> bool:
        """Push the outbox from a background thread until close(): `serve` and `worker` do this,
        other commands leave the rows to them. Two processes doing it are safe (leases).
        False when the index needs no worker. `options` go to OutboxWorker (backoff, poll)."""
        if self._index_worker is None:
            self._index_worker = self._outbox_worker(**options)
            if self._index_worker is not None:
                self._index_worker.start()
        return self._index_worker is not None

    def stop_index_worker(self, flush_seconds: float = 5.0) -> None:
        if self._index_worker is not None:
            self._index_worker.stop(flush_seconds)
            self._index_worker = None

    def drain_index(
        self, timeout: float = 60.0, progress: Callable[[int], None] | None = None, **options: Any
    ) -> int:
        """Push the outbox from this thread until it is empty or `timeout` seconds pass;
        returns the writes still waiting (0 for an index inside the store's transaction)."""
        worker = self._outbox_worker(**options)
        return worker.drain(timeout, progress) if worker is not None else 0

    # -- stories -----------------------------------------------------------------------

    def story(self, story_id: str, *, offset: int = 0, limit: int = 100) -> Story:
        """A story with one page of its timeline; NotFound when no story has this id."""
        stories = self.store.stories
        story = (
            stories.get(self.store.connection(), story_id, offset=offset, limit=limit) if stories else None
        )
        if story is None:
            raise NotFound(f"no story with id {story_id!r}", id=story_id)
        return story

    def story_item(self, story_id: str) -> IndexItem | None:
        """A story's index item as stored now (None when the story is gone)."""
        stories = self.store.stories
        state = stories.state(self.store.connection(), story_id) if stories else None
        return story_item(story_id, state) if state else None

    def story_of(self, claim_id: str) -> str | None:
        """The id of the story a claim belongs to (None when stories are off)."""
        stories = self.store.stories
        return stories.story_of(self.store.connection(), claim_id) if stories else None

    # -- extractors --------------------------------------------------------------------

    def extractor_infos(self) -> list[ExtractorInfo]:
        """Every installed extractor: the enabled ones in run order, then the disabled."""
        position = {r.name: n for n, r in enumerate(self.pipeline.extractors)}
        infos = [
            ExtractorInfo(
                name=r.name,
                version=r.extractor.version,
                plugin=r.plugin,
                produces=sorted(r.extractor.produces),
                requires=sorted(r.extractor.requires),
                enabled=r.name in position,
                order=position.get(r.name),
                circuit=self.pipeline.circuits.get(r.name).state if r.name in position else None,
            )
            for r in self.plugins.extractors
        ]
        return sorted(infos, key=lambda i: (i.order is None, i.order or 0, i.name))


def _as_incoming(document: Document) -> DocumentIn:
    """A stored document as the extractors saw it when it was ingested."""
    return DocumentIn(
        id=document.id,
        text=document.text,
        title=document.title,
        url=document.url,
        source=document.source,
        author=document.author,
        published_at=document.published_at,
        language=document.language,
        metadata=document.metadata,
    )


def _incomplete(extraction: Extraction, wanted: set[str]) -> bool:
    """Did a run of a `wanted` extractor not finish well, or not happen at all?"""
    ran = {run.name: outcome(run) for run in extraction.runs}
    return any(ran.get(name) != "ok" for name in wanted)
