"""Runs extractors in dependency order, isolates failures, times each, merges results.

:func:`execute` is the loop itself, and runs wherever extraction runs: in an extraction worker
process (see ``pool.py``), or in the calling thread when there are none. :class:`Pipeline` is
what the service calls: it asks the circuit breakers which extractors may run, hands documents
to the workers (or runs them here), and goes on past a call the pool had to stop.
"""

from __future__ import annotations

import concurrent.futures
import math
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Protocol, cast

import msgspec

from claimscope.actors import Gazetteer
from claimscope.logs import request_id_var
from claimscope.models import (
    KINDS,
    Actor,
    Claim,
    Conflict,
    DateMention,
    DocumentIn,
    Extraction,
    ExtractorRun,
    Figure,
    Mention,
    Quote,
)
from claimscope.pipeline.circuits import Circuits
from claimscope.pipeline.hookspecs import BatchExtractor, Extractor, Found
from claimscope.pipeline.manager import Registered

Item = DateMention | Figure | Quote | Claim
ITEM_TYPES = {"actors": Actor, "dates": DateMention, "figures": Figure, "quotes": Quote, "claims": Claim}
# The errors a run records when the extractor did not finish (stable: `outcome` reads them).
TIMED_OUT = "timed out"
SKIPPED = "skipped: circuit open"
# A batch is cut into chunks of at most this many documents, one chunk per worker at a time.
MAX_CHUNK = 16

Call = tuple[int, int | None]
"""(extractor index, document index), or (extractor index, None) for one call over every document."""

_encode = msgspec.msgpack.Encoder().encode
_decode_extraction = msgspec.msgpack.Decoder(Extraction).decode


class PipelineError(Exception):
    """The installed extractors cannot be ordered (a cycle, or a kind nobody produces)."""


class MalformedOutput(Exception):
    """An extractor returned something that breaks the contract."""


def select(
    extractors: Sequence[Registered], enabled: Sequence[str], disabled: Sequence[str]
) -> list[Registered]:
    """The extractors the settings allow: all, or only `enabled`, minus `disabled`."""
    known = {r.name for r in extractors}
    for name in [*enabled, *disabled]:
        if name not in known:
            raise PipelineError(
                f"extractor {name!r} is not installed; installed: {', '.join(sorted(known)) or 'none'}"
            )
    return [r for r in extractors if (not enabled or r.name in enabled) and r.name not in disabled]


def order(extractors: Sequence[Registered]) -> list[Registered]:
    """Extractors sorted so each runs after every producer of what it requires.

    Ties keep registration order, so the order is stable across runs.
    """
    producers: dict[str, list[str]] = {}
    for r in extractors:
        for kind in r.extractor.produces:
            producers.setdefault(kind, []).append(r.name)
    deps: dict[str, set[str]] = {}
    for r in extractors:
        needs: set[str] = set()
        for kind in r.extractor.requires:
            if kind not in producers:
                raise PipelineError(
                    f"extractor {r.name!r} requires {kind!r} but no enabled extractor produces it"
                )
            needs.update(p for p in producers[kind] if p != r.name)
        deps[r.name] = needs
    by_name = {r.name: r for r in extractors}
    done: list[Registered] = []
    placed: set[str] = set()
    while len(done) < len(extractors):
        ready = [r for r in extractors if r.name not in placed and deps[r.name] <= placed]
        if not ready:
            stuck = sorted(n for n in by_name if n not in placed)
            raise PipelineError(f"extractors depend on each other in a cycle: {', '.join(stuck)}")
        done.append(ready[0])
        placed.add(ready[0].name)
    return done


def outcome(run: ExtractorRun) -> str:
    """``ok``, ``failed``, ``timed out`` or ``skipped`` (circuit open)."""
    if run.ok:
        return "ok"
    error = run.error or ""
    return (
        "timed out" if error.startswith(TIMED_OUT) else "skipped" if error.startswith(SKIPPED) else "failed"
    )


def execute(
    extractors: Sequence[Extractor],
    gazetteer: Gazetteer,
    documents: Sequence[DocumentIn],
    *,
    budget_s: float,
    settled: Mapping[Call, ExtractorRun] | None = None,
    starting: Callable[[int, int | None], None] | None = None,
) -> list[Extraction]:
    """Run `extractors` in order over `documents` (ids set): one Extraction per document.

    Each extractor sees what the earlier ones found in the same document. An extractor with
    ``extract_many`` gets every document in one call (when there are several); the others one
    call per document. A call that `settled` names is not made: its run is recorded as given
    (``(e, None)`` settles extractor `e` for every document). `starting(e, d)` is told before
    each call: the pool times calls from it. A call that overruns its budget (`budget_s` per
    document) is recorded as timed out and what it returned is dropped.
    """
    settled = settled or {}
    founds = [Found(gazetteer=gazetteer) for _ in documents]
    runs: list[list[ExtractorRun]] = [[] for _ in documents]
    everyone = list(range(len(documents)))
    for e, extractor in enumerate(extractors):
        batched = len(documents) > 1 and callable(getattr(extractor, "extract_many", None))
        calls: list[tuple[int | None, list[int]]] = (
            [(None, everyone)] if batched or (e, None) in settled else [(d, [d]) for d in everyone]
        )
        for d, members in calls:
            given = settled.get((e, d)) or settled.get((e, None))
            if given is not None:
                for m in members:
                    runs[m].append(given)
                continue
            if starting is not None:
                starting(e, d)
            started = time.perf_counter()
            error: str | None = None
            try:
                if d is None:
                    results = _results_of_many(cast(BatchExtractor, extractor), documents, founds)
                else:
                    results = [extractor.extract(documents[d], founds[d])]
            except Exception as exc:  # an extractor's bug must not fail the document
                error = f"{type(exc).__name__}: {exc}"
            elapsed = time.perf_counter() - started
            if error is None and elapsed > budget_s * len(members):
                error = f"{TIMED_OUT} after {budget_s * len(members) * 1000:.0f} ms"
            for n, m in enumerate(members):
                problem = error
                if problem is None:
                    try:
                        found = founds[m]
                        part = _validated(
                            results[n], extractor.produces, documents[m].text, len(found.figures)
                        )
                        _merge_into(found, part, extractor.produces, extractor.name)
                    except MalformedOutput as exc:
                        problem = f"malformed output: {exc}"
                runs[m].append(
                    ExtractorRun(
                        name=extractor.name,
                        version=extractor.version,
                        ms=round(elapsed * 1000 / len(members), 3),
                        ok=problem is None,
                        error=problem,
                    )
                )
    extractions = []
    for document, found, document_runs in zip(documents, founds, runs, strict=True):
        _assign_ids(found, document.id or "")
        extractions.append(
            Extraction(
                actors=found.actors,
                figures=found.figures,
                dates=found.dates,
                quotes=found.quotes,
                claims=found.claims,
                runs=document_runs,
                conflicts=found.conflicts,
            )
        )
    return extractions


def _results_of_many(
    extractor: BatchExtractor, documents: Sequence[DocumentIn], founds: list[Found]
) -> list[Extraction]:
    results = extractor.extract_many(list(documents), founds)
    if not isinstance(results, list) or len(results) != len(documents):
        raise MalformedOutput(
            f"extract_many() returned {type(results).__name__}"
            f"{f' of {len(results)}' if isinstance(results, list) else ''}, not a list of {len(documents)}"
        )
    return results


class Interrupted(Exception):
    """The pool stopped a call (it overran its budget, or its worker died); the rest goes on."""

    def __init__(self, call: Call | None, ms: float, error: str) -> None:
        super().__init__(error)
        self.call, self.ms, self.error = call, ms, error


class Workers(Protocol):
    """Extraction worker processes (``pool.WorkerPool``)."""

    size: int

    def start(self) -> None: ...

    def run(
        self,
        documents: list[DocumentIn],
        settled: Mapping[Call, ExtractorRun],
        request_id: str | None,
        budget_s: float,
    ) -> list[Extraction]:
        """`execute` in a worker; raises :class:`Interrupted` when it had to stop a call."""

    def close(self) -> None: ...


class Pipeline:
    """The ordered extractors of one service, run on documents behind a circuit breaker each.

    With a `pool` (see ``pool.py``) extraction runs in worker processes, where a call that
    overruns its budget is killed with its worker and the document goes on with the other
    extractors. Without one it runs in the calling thread: the budget is then checked when a
    call returns (an extractor that never returns holds the caller).
    """

    def __init__(
        self,
        extractors: Sequence[Registered],
        gazetteer: Gazetteer,
        *,
        timeout_ms: int = 10_000,
        on_run: Callable[[ExtractorRun], None] | None = None,
        pool: Workers | None = None,
        circuits: Circuits | None = None,
    ) -> None:
        self.extractors = order(extractors)
        self.gazetteer = gazetteer
        self.timeout_s = timeout_ms / 1000
        self.on_run = on_run
        self.pool = pool
        self.circuits = circuits or Circuits()
        self._chunk_threads = (
            concurrent.futures.ThreadPoolExecutor(pool.size, thread_name_prefix="extraction")
            if pool is not None and pool.size > 1
            else None
        )

    def start(self) -> None:
        """Start the workers now (else the first documents start them)."""
        if self.pool is not None:
            self.pool.start()

    def run(self, document: DocumentIn) -> Extraction:
        """Every extractor on `document` (whose id is set); never raises for an extractor's fault."""
        return self.run_many([document])[0]

    def run_many(self, documents: Sequence[DocumentIn]) -> list[Extraction]:
        """Every extractor on each of `documents` (ids set), spread over the workers."""
        if not documents:
            return []
        settled = self._skipped()
        request_id = request_id_var.get()
        chunks = self._chunks(list(documents))
        if self._chunk_threads is None or len(chunks) == 1:
            parts = [self._run_chunk(chunk, settled, request_id) for chunk in chunks]
        else:
            parts = list(
                self._chunk_threads.map(lambda chunk: self._run_chunk(chunk, settled, request_id), chunks)
            )
        extractions = [extraction for part in parts for extraction in part]
        for extraction in extractions:
            for run in extraction.runs:
                self.circuits.observe(run.name, outcome(run))
                if self.on_run:
                    self.on_run(run)
        return extractions

    def close(self) -> None:
        if self._chunk_threads is not None:
            self._chunk_threads.shutdown(wait=False, cancel_futures=True)
        if self.pool is not None:
            self.pool.close()

    def _skipped(self) -> dict[Call, ExtractorRun]:
        """The extractors whose circuit is open, as runs recorded instead of running them."""
        return {
            (e, None): ExtractorRun(name=r.name, version=r.extractor.version, ms=0, ok=False, error=SKIPPED)
            for e, r in enumerate(self.extractors)
            if not self.circuits.allow(r.name)
        }

    def _chunks(self, documents: list[DocumentIn]) -> list[list[DocumentIn]]:
        workers = self.pool.size if self.pool is not None else 1
        size = min(MAX_CHUNK, math.ceil(len(documents) / workers))
        return [documents[i : i + size] for i in range(0, len(documents), size)]

    def _run_chunk(
        self, documents: list[DocumentIn], settled: dict[Call, ExtractorRun], request_id: str | None
    ) -> list[Extraction]:
        extractors = [r.extractor for r in self.extractors]
        if self.pool is None or all((e, None) in settled for e in range(len(extractors))):
            return execute(extractors, self.gazetteer, documents, budget_s=self.timeout_s, settled=settled)
        settled = dict(settled)
        while True:
            try:
                return self.pool.run(documents, settled, request_id, self.timeout_s)
            except Interrupted as stop:
                # The call the pool stopped is settled; the others run again on another worker.
                stopped: list[Call]
                if stop.call is None or stop.call in settled:
                    stopped = [(e, None) for e in range(len(extractors))]
                else:
                    stopped = [stop.call]
                for e, d in stopped:
                    extractor = extractors[e]
                    run = ExtractorRun(extractor.name, extractor.version, stop.ms, ok=False, error=stop.error)
                    settled.setdefault((e, d), run)


def _validated(result: object, produces: Collection[str], text: str, figures: int) -> Extraction:
    """`result` checked against the contract, as a copy whose every field has its declared type
    (what an extractor keeps a reference to cannot change it later, and it crosses processes)."""
    check_output(result, produces, text, figures)
    try:
        return _decode_extraction(_encode(result))
    except (TypeError, ValueError, msgspec.ValidationError) as exc:
        raise MalformedOutput(str(exc)) from None


def check_output(result: object, produces: Collection[str], text: str, figures: int) -> None:
    """Raise MalformedOutput when an extractor's result breaks the contract: not an Extraction,
    a kind it does not produce, a span that does not spell its text, or a claim's figure ref
    outside the `figures` found before it (see hookspecs)."""
    if not isinstance(result, Extraction):
        raise MalformedOutput(f"extract() returned {type(result).__name__}, not Extraction")
    for kind in KINDS:
        items = getattr(result, kind)
        if not isinstance(items, list):
            raise MalformedOutput(f"`{kind}` is {type(items).__name__}, not a list")
        if items and kind not in produces:
            raise MalformedOutput(f"returned {kind} but does not declare it in `produces`")
        for item in items:
            if not isinstance(item, ITEM_TYPES[kind]):
                raise MalformedOutput(
                    f"{kind} holds a {type(item).__name__}, not {ITEM_TYPES[kind].__name__}"
                )
            for span in item.mentions if isinstance(item, Actor) else [item]:
                _check_span(span, text, kind)
    for claim in result.claims:
        bad = [i for i in claim.figure_refs if not (isinstance(i, int) and 0 <= i < figures)]
        if bad:
            raise MalformedOutput(
                f"claim {claim.start}..{claim.end} refers to figures {bad}; {figures} were found before it"
            )


def _check_span(span: Mention | Figure | DateMention | Quote | Claim, text: str, kind: str) -> None:
    start, end = span.start, span.end
    if not (isinstance(start, int) and isinstance(end, int) and 0 <= start <= end <= len(text)):
        raise MalformedOutput(f"{kind} span {start}..{end} lies outside the text (length {len(text)})")
    if text[start:end] != span.text:
        raise MalformedOutput(
            f"{kind} span {start}..{end} is {text[start:end]!r} in the text, not {span.text!r}"
        )


def _merge_into(found: Found, result: Extraction, produces: Collection[str], extractor: str) -> None:
    """Add one extractor's results by the merge rules of hookspecs: actors merge by id; an
    item of another kind at the span of one already found refines it (:func:`_refine`)."""
    if "actors" in produces:
        by_id = {a.id: a for a in found.actors}
        for actor in result.actors:
            known = by_id.get(actor.id)
            if known is None:
                by_id[actor.id] = actor
                found.actors.append(actor)
                continue
            known.aliases.extend(a for a in actor.aliases if a not in known.aliases)
            seen = {(m.start, m.end) for m in known.mentions}
            known.mentions.extend(m for m in actor.mentions if (m.start, m.end) not in seen)
            known.mentions.sort(key=lambda m: m.start)
    for kind in ("dates", "figures", "quotes", "claims"):
        if kind not in produces:
            continue
        have: list = getattr(found, kind)
        at = {(x.start, x.end): x for x in have}
        for item in getattr(result, kind):
            known = at.get((item.start, item.end))
            if known is None:
                at[(item.start, item.end)] = item
                have.append(item)
            elif known is not item:
                _refine(known, item, kind, extractor, found)
        # Stable text order; claims index into figures, and they run after every figure producer.
        have.sort(key=lambda x: x.start)


_IDENTITY = {"text", "start", "end", "id"}


def _refine(known: Item, item: Item, kind: str, extractor: str, found: Found) -> None:
    """Fields `known` leaves empty take `item`'s values; where both are set and differ,
    `known` keeps its own and the disagreement becomes a Conflict."""
    kept: dict[str, object] = {}
    proposed: dict[str, object] = {}
    for name in known.__struct_fields__:
        if name in _IDENTITY:
            continue
        mine, theirs = getattr(known, name), getattr(item, name)
        if _empty(theirs) or mine == theirs:
            continue
        if _empty(mine):
            setattr(known, name, theirs)
        else:
            kept[name], proposed[name] = mine, theirs
    if kept:
        found.conflicts.append(Conflict(kind, known.start, known.end, extractor, kept, proposed))


def _empty(value: object) -> bool:
    return value is None or value == "" or value == []


def _assign_ids(found: Found, document_id: str) -> None:
    for n, quote in enumerate(found.quotes):
        quote.id = f"{document_id}:q{n}"
    for n, claim in enumerate(found.claims):
        claim.id = f"{document_id}:c{n}"
