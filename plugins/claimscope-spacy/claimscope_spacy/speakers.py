"""spacy.speakers: who said a quote, from the dependency parse; a refiner of found quotes.

For each quote another extractor found, the speech verb is the one the quoted words hang
from ("“…,” said X": the quote is a complement of "said"), else a speech verb of the sentence
around it, after the quote first ("…,” X said"), then before it ("X said: “…”"). The speaker is
the verb's subject ("according to X": X). A subject inside an actor's mention is that actor;
a pronoun (he, she, I) is the last person who was the subject of a sentence before the quote
(outside quotes); any other noun phrase is kept as written, with no actor.

It refines (see "Merging" in claimscope's hookspecs): a quote found without a speaker gets
this one; a quote whose speaker is another actor is returned with this speaker, which the
service records as a conflict and does not apply; other quotes are left out.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import msgspec
from claimscope.models import Actor, DocumentIn, Extraction, Quote
from claimscope.pipeline.hookspecs import Found
from spacy.tokens import Token

from claimscope_spacy import __version__
from claimscope_spacy.model import Parsed, Runtime

_IRREGULAR = {"say": ["said"], "tell": ["told"], "write": ["wrote", "written"], "tweet": []}
_REGULAR = (
    "add warn note state argue explain insist declare announce ask reply post stress emphasize emphasise "
    "urge acknowledge admit claim continue conclude remark recall comment describe confirm deny "
    "repeat respond answer predict estimate caution complain suggest"
)


def _forms(verb: str) -> set[str]:
    stem = verb[:-1] if verb.endswith("e") else verb
    past = verb + "d" if verb.endswith("e") else (stem[:-1] + "ied" if verb.endswith("y") else verb + "ed")
    third = stem[:-1] + "ies" if verb.endswith("y") and verb[-2] not in "aeiou" else verb + "s"
    return {verb, third, stem + "ing", past}


SPEECH_VERBS = frozenset(
    form for verb in [*_IRREGULAR, *_REGULAR.split()] for form in _forms(verb) | set(_IRREGULAR.get(verb, []))
)
PRONOUNS = {"he", "she", "i"}
SUBJECTS = {"nsubj", "nsubjpass"}
# "Russian officials said": the head stands for the actor that qualifies it.
STANDS_FOR = {"officials", "authorities", "government", "military", "forces", "army", "leadership"}
# Pronouns and words that cannot name a speaker: "it said", "which said", "they said".
NOT_SPEAKERS = {"it", "this", "that", "which", "who", "what", "there", "they", "we", "you"}
MAX_PHRASE_WORDS = 9
MAX_VERBS = 3  # speech verbs tried per quote
WINDOW = 40  # tokens looked at before and after a quote


@dataclass(frozen=True)
class _Mention:
    start: int
    end: int
    actor: Actor


@dataclass(frozen=True)
class _Speaker:
    actor: Actor | None
    written: str
    cue: str


class SpeakersExtractor:
    """Quote speakers from the dependency parse (see the module docstring)."""

    name = "spacy.speakers"
    version = __version__
    produces = ("quotes",)
    requires = ("quotes", "actors")

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def extract(self, document: DocumentIn, found: Found) -> Extraction:
        if not found.quotes:
            return Extraction()
        return speakers_of(self.runtime.parse(document.text), found)

    def extract_many(self, documents: Sequence[DocumentIn], founds: Sequence[Found]) -> list[Extraction]:
        todo = [n for n, f in enumerate(founds) if f.quotes]
        parsed = dict(zip(todo, self.runtime.parse_many([documents[n].text for n in todo]), strict=True))
        return [speakers_of(parsed[n], f) if n in parsed else Extraction() for n, f in enumerate(founds)]


def speakers_of(parsed: Parsed, found: Found) -> Extraction:
    mentions = sorted(
        (_Mention(m.start, m.end, a) for a in found.actors for m in a.mentions), key=lambda m: m.start
    )
    index = _Index(parsed, mentions, found.quotes)
    refined: list[Quote] = []
    by_group: dict[int, _Speaker] = {}
    for quote in found.quotes:
        speaker = index.speaker(quote)
        if speaker is None:
            continue
        if quote.group is not None:
            by_group.setdefault(quote.group, speaker)
        if _improves(quote, speaker):
            refined.append(_with(quote, speaker))
    for quote in found.quotes:  # parts of one quote share the speaker of the part we found one for
        speaker = by_group.get(quote.group) if quote.group is not None else None
        if speaker is not None and quote.speaker_name is None and all(q is not quote for q in refined):
            refined.append(_with(quote, speaker))
    return Extraction(quotes=sorted(refined, key=lambda q: q.start))


def _improves(quote: Quote, speaker: _Speaker) -> bool:
    """A speaker where there was none, or another actor where there was one (a conflict)."""
    if quote.speaker_name is None:
        return True
    return bool(quote.speaker_id and speaker.actor and speaker.actor.id != quote.speaker_id)


def _with(quote: Quote, speaker: _Speaker) -> Quote:
    actor = speaker.actor
    return msgspec.structs.replace(
        quote,
        speaker_id=actor.id if actor else None,
        speaker_name=actor.name if actor else speaker.written,
        speaker_text=speaker.written,
        cue=speaker.cue,
    )


class _Index:
    """The parse of one text with its mentions and quotes, by character offset."""

    def __init__(self, parsed: Parsed, mentions: list[_Mention], quotes: list[Quote]) -> None:
        self.text = parsed.text
        self.pieces = parsed.pieces
        self.piece_starts = [p.offset for p in parsed.pieces]
        # token index where each sentence of each piece starts
        self.sentence_starts = [[s.start for s in p.doc.sents] for p in parsed.pieces]
        self.mentions = mentions
        self.mention_starts = [m.start for m in mentions]
        self.quote_spans = sorted((q.start, q.end) for q in quotes)
        self.quote_starts = [s for s, _ in self.quote_spans]
        # (offset, person) of each subject inside a person's mention, outside quotes, in text order
        self.person_subjects: list[tuple[int, Actor]] = []
        for piece in parsed.pieces:
            for token in piece.doc:
                at = piece.offset + token.idx
                if token.dep_ in SUBJECTS and not self._in_quote(at):
                    mention = self._mention_at(at)
                    if mention is not None and mention.actor.type == "person":
                        self.person_subjects.append((at, mention.actor))
        self.subject_offsets = [at for at, _ in self.person_subjects]

    def speaker(self, quote: Quote) -> _Speaker | None:
        n = bisect.bisect_right(self.piece_starts, quote.start) - 1
        if n < 0:
            return None
        piece = self.pieces[n]
        for verb in itertools.islice(self._speech_verbs(n, quote), MAX_VERBS):
            speaker = self._subject_of(piece.offset, verb, quote)
            if speaker is not None:
                return speaker
        return None

    def _speech_verbs(self, n: int, quote: Quote) -> Iterator[Token]:
        """Speech verbs outside the quote, most likely first: those the quoted words hang
        from, then those after the quote in its last sentence, then before it in its first."""
        piece = self.pieces[n]
        doc, offset = piece.doc, piece.offset
        # (Doc.text is rebuilt from the tokens on every read: use the piece's own bounds)
        inner = doc.char_span(
            quote.start - offset, min(quote.end, piece.end) - offset, alignment_mode="expand"
        )
        if inner is None or not len(inner):
            return
        lo, hi = inner.start, inner.end
        starts = self.sentence_starts[n]
        first = starts[bisect.bisect_right(starts, lo) - 1]
        last = bisect.bisect_right(starts, hi - 1)
        after_end = starts[last] if last < len(starts) else len(doc)
        heads = [t.head for t in inner if not lo <= t.head.i < hi]
        after = doc[hi : min(after_end, hi + WINDOW)]
        before = doc[max(first, lo - WINDOW) : lo]
        seen: set[int] = set()
        for token in itertools.chain(heads, after, reversed(before)):
            if token.i not in seen and not _is_mark(token) and _speaks(token):
                seen.add(token.i)
                yield token

    def _subject_of(self, offset: int, verb: Token, quote: Quote) -> _Speaker | None:
        if verb.lower_ == "according":
            subject = next((p for c in verb.children if c.lower_ == "to" for p in c.children), None)
        else:
            subject = _subject(verb)
        if subject is None or quote.start <= offset + subject.idx < quote.end:
            return None
        cue = "according to" if verb.lower_ == "according" else verb.text
        if subject.lower_ in PRONOUNS:
            i = bisect.bisect_left(self.subject_offsets, quote.start) - 1
            return _Speaker(self.person_subjects[i][1], subject.text, cue) if i >= 0 else None
        if subject.lower_ in NOT_SPEAKERS:
            return None
        mention = self._mention_at(offset + subject.idx)
        if mention is not None:
            return _Speaker(mention.actor, self.text[mention.start : mention.end], cue)
        start, end = (offset + i for i in _phrase(subject))
        written = self.text[start:end]
        if len(written.split()) > MAX_PHRASE_WORDS:
            return None
        i = bisect.bisect_left(self.mention_starts, start)
        inside = [m for m in self.mentions[i:] if m.start < end and m.end <= end]
        if inside and subject.lower_ in STANDS_FOR:
            return _Speaker(inside[-1].actor, written, cue)
        return _Speaker(None, written, cue)

    def _mention_at(self, at: int) -> _Mention | None:
        i = bisect.bisect_right(self.mention_starts, at) - 1
        while i >= 0 and self.mentions[i].start > at - 200:  # mentions are short
            if self.mentions[i].start <= at < self.mentions[i].end:
                return self.mentions[i]
            i -= 1
        return None

    def _in_quote(self, at: int) -> bool:
        i = bisect.bisect_right(self.quote_starts, at) - 1
        return i >= 0 and self.quote_spans[i][0] <= at < self.quote_spans[i][1]


def _is_mark(token: Token) -> bool:
    return token.is_quote or token.is_punct


def _speaks(token: Token) -> bool:
    return token.lower_ in SPEECH_VERBS or (
        token.lower_ == "according" and any(c.lower_ == "to" for c in token.children)
    )


def _subject(verb: Token) -> Token | None:
    """The verb's subject, or that of the verb it is coordinated with ("…, and added")."""
    for token in (verb, verb.head if verb.dep_ == "conj" else None):
        if token is not None:
            subject = next((c for c in token.children if c.dep_ in SUBJECTS), None)
            if subject is not None:
                return subject
    return None


def _phrase(head: Token) -> tuple[int, int]:
    """Character span of the noun phrase `head` heads, up to a comma or a clause after it."""
    start = head.left_edge.idx
    end = head.idx + len(head.text)
    for token in head.rights:
        if token.is_punct or token.dep_ in ("relcl", "acl", "appos", "cc", "conj"):
            break
        end = token.right_edge.idx + len(token.right_edge.text)
    return start, end
