"""rules.quotes: direct quotes and who said them.

Quotes are found between straight or curly double marks, and curly single marks that open
after a space; a quote left open at a paragraph end continues when the next paragraph opens
with a mark. The speaker comes from the attribution after the quote ("…,” Costa said / said
a senior analyst), before it ("Costa said: “…”", "Costa’s warning that “…”"), another quote
of the same sentence, the subject of a sentence that speaks or characterises ("Moscow
dismissed the reports as “…”"), or the quote just before (“…,” he said. “…”). A pronoun or a
role ("he", "the minister") is the person last named; a role with a country ("the Ukrainian
minister") is the person last titled with it. A speaker who is not a known actor ("a defense
analyst in Kyiv", "the UK Ministry of Defence", where the actor only qualifies the phrase)
keeps the words with a null id; a quote without any of these keeps a null speaker.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from claimscope.models import Actor, DocumentIn, Extraction, Quote

from claimscope_rules.lexicon import (
    CHARACTERIZE_VERBS,
    PARTICIPLES,
    PERSON_ROLES,
    PRONOUNS,
    SPEECH_NOUNS,
    SPEECH_VERBS,
    STANDS_FOR,
    alternation,
)
from claimscope_rules.text import Spans, sentences

SPEECH = alternation(SPEECH_VERBS)
SPEECH_NOUN = alternation(SPEECH_NOUNS)
CHARACTERIZE = alternation(CHARACTERIZE_VERBS)
# Words that cannot open a speaker's noun phrase: "rejected what it called “…”".
_NOT_A_SPEAKER = {"what", "which", "who", "whom", "that", "it", "this", "there"}
_PREPOSITIONS = {"of", "for", "at", "in", "with", "from", "on"}
_SENTENCE_THEN_QUOTE = re.compile(r"^[^“”\"]{0,120}[.!?]\s*$")
_OPENERS = {"“": "”", '"': '"', "‘": "’", "«": "»"}
_AFTER = re.compile(
    rf"[\s,]*(?:(?P<cue1>{SPEECH})\s+(?P<who1>[^,.;“”\"]{{2,80}}?)(?=[,.;]|\s+(?:on|in|at|during|after|adding)\b|$)"
    rf"|(?P<who2>[^,.;“”\"]{{1,80}}?)\s+(?:has\s+|had\s+|also\s+|later\s+)?(?P<cue2>{SPEECH})\b"
    # “…,” Ana Costa, the group’s president, told reporters.
    rf"|(?P<who4>[^,.;“”\"]{{1,80}}?),\s+(?:the|a|an|[\w’']+[’']s)\s[^,.;“”\"]{{1,80}}?,\s+"
    rf"(?:has\s+|had\s+|also\s+|later\s+)?(?P<cue4>{SPEECH})\b)"
)
_BEFORE = re.compile(
    rf"(?:(?P<who1>[^,.;“”\"]{{1,80}}?)\s+(?:has\s+|had\s+|also\s+)?(?P<cue1>{SPEECH})(?:\s+[\w’']+){{0,4}}?"
    rf"|(?P<who2>[^,.;“”\"]{{1,80}}?)[’']s?\s+(?P<cue2>{SPEECH_NOUN})(?:\s+that)?"
    rf"|according\s+to\s+(?P<who3>[^,.;“”\"]{{1,80}}?),?)\s*[:,]?\s*$"
)
_PARTICIPLE = re.compile(rf"\b(?:{alternation(PARTICIPLES)})\b")
# What follows an actor in the noun phrase it qualifies: "’s state news agency", " Ministry of Defence".
_NOUN_TAIL = re.compile(
    r"(?:[’']s(?:\s+(?!(?:on|in|at|has|have|had|was|were|is|also|who|which)\b)[a-z][\w-]*){1,4}"
    r"|(?:\s+(?:(?:of|for|and|the)\s+)*[A-Z][\w-]*)+)?"
)
_APPOSITION = re.compile(r",\s+(?:the|a|an|[A-Z])")
_SPEECH_VERB = re.compile(rf"\b(?:{SPEECH})\b")
_SUBJECT_CUE = re.compile(rf"{_PARTICIPLE.pattern}|\b(?:{SPEECH}|{CHARACTERIZE})\b")


@dataclass
class _Part:
    start: int  # first character inside the marks
    end: int
    group: int


class QuotesExtractor:
    name = "rules.quotes"
    version = "0.2.0"
    produces = ("quotes",)
    requires = ("actors",)

    def extract(self, document: DocumentIn, found) -> Extraction:
        text = document.text
        parts = _quoted_parts(text)
        context = _Context(text, found.actors)
        quotes: list[Quote] = []
        for part in parts:
            quote = Quote(text=text[part.start : part.end], start=part.start, end=part.end, group=part.group)
            opening = context.sentence_at(part.start) or (part.start, part.end)
            closing = context.sentence_at(part.end) or opening
            _attribute(quote, context, opening[0], closing[1])
            quotes.append(quote)
        _share_attribution(quotes, context)
        # a word or two in marks that nobody says is a scare quote ("lost"), not a quotation
        quotes = [q for q in quotes if q.speaker_name is not None or len(q.text.split()) > 2]
        return Extraction(quotes=quotes)


def _quoted_parts(text: str) -> list[_Part]:
    """Spans inside quotation marks, outermost only; parts of one quote share a group."""
    parts: list[_Part] = []
    i, group = 0, 0
    while i < len(text):
        char = text[i]
        if char in _OPENERS and _opens(text, i):
            close = _OPENERS[char]
            j = i + 1
            depth_char = None
            while j < len(text):
                c = text[j]
                if c == "\n":
                    break
                if c == close and _closes(text, j, char):
                    break
                if depth_char is None and c in ("‘", "'") and char in ("“", '"') and _opens(text, j):
                    depth_char = c  # nested single quotes stay inside the outer quote
                j += 1
            if j > i + 1:
                parts.append(_Part(i + 1, j, group))
            if j < len(text) and text[j] == "\n":
                # an unclosed paragraph continues if the next one opens with the same mark
                k = j
                while k < len(text) and text[k] in "\n \t":
                    k += 1
                if k < len(text) and text[k] == char:
                    i = k
                    continue
            group += 1
            i = j + 1
        else:
            i += 1
    return parts


def _opens(text: str, i: int) -> bool:
    char = text[i]
    if char in ("“", "«"):
        return True
    before = text[i - 1] if i > 0 else " "
    return (before.isspace() or before in "([—–-:") and i + 1 < len(text) and not text[i + 1].isspace()


def _closes(text: str, j: int, opener: str) -> bool:
    if opener in ("“", "«"):
        return True
    after = text[j + 1] if j + 1 < len(text) else " "
    return not after.isalnum()  # an apostrophe inside a word ("isn’t") does not close


@dataclass(frozen=True)
class _Mention:
    start: int
    end: int
    actor: Actor


# How far before a quote its attribution is looked for: the longest _BEFORE can match, and
# where a very long sentence's subject is looked for (bounded, so many quotes in one endless
# sentence cost linear time).
BEFORE_WINDOW = 240
SUBJECT_WINDOW = 400
TITLE_WINDOW = 200
SUBJECT_SENTENCES = 2  # how many sentences back a pronoun's antecedent is looked for  # how far a title may stand before a person's name in its clause


class _Context:
    """One document as the attribution rules read it: its text, sentences and actor mentions,
    each found by position in logarithmic time."""

    def __init__(self, text: str, actors: list[Actor]) -> None:
        self.text = text
        self.sentences = Spans((s.start, s.end, None) for s in sentences(text))
        self.mentions = Spans((m.start, m.end, a) for a in actors for m in a.mentions)
        self.people = Spans((m.start, m.end, a) for a in actors if a.type == "person" for m in a.mentions)
        self._titled: dict[str, list[tuple[int, Actor]]] | None = None

    def sentence_at(self, pos: int) -> tuple[int, int] | None:
        span = self.sentences.at(pos)
        return (span[0], span[1]) if span else None

    def subject_before(self, pos: int, people: bool = True) -> Actor | None:
        """Whom a pronoun at `pos` stands for: the subject of the latest sentence (this one up to
        `pos`, then up to SUBJECT_SENTENCES before it) that has one, where the subject is the
        actor just before the sentence's first speech verb, else its first person (for "it",
        its first actor that is not a person). The nearest name is often an object ("...sent a
        message of support for X. “…,” he wrote.")."""
        i = bisect.bisect_right(self.sentences.starts, pos) - 1
        for k in range(i, max(-1, i - SUBJECT_SENTENCES - 1), -1):
            start = self.sentences.spans[k][0] if k >= 0 else 0
            end = min(pos, self.sentences.spans[k][1]) if k >= 0 else pos
            found = [
                (s, e, a)
                for s, e, a in self.mentions.within(start, end)
                if (a.type == "person" if people else a.type not in ("person", "country"))
            ]
            if not found:
                continue
            verb = _SPEECH_VERB.search(self.text, start, end)
            if verb is not None:
                before = [f for f in found if f[1] <= verb.start()]
                if before:
                    return before[-1][2]
            return found[0][2]
        return None

    def titled(self, actor_id: str, pos: int) -> tuple[int, Actor] | None:
        """The person mentioned last before `pos` whose title names `actor_id` ("the Ukrainian
        minister" is the person last introduced as a Ukrainian minister)."""
        if self._titled is None:
            self._titled = {}
            title_ids: dict[str, set[str]] = {}
            for _, end, person in self.people.spans:
                if person.id not in title_ids:
                    title_ids[person.id] = _title_ids(self.text, person, self.mentions)
                for owner in title_ids[person.id]:
                    self._titled.setdefault(owner, []).append((end, person))
        mentions = self._titled.get(actor_id, [])
        i = bisect.bisect_right(mentions, pos, key=lambda m: m[0])
        return mentions[i - 1] if i else None


def _attribute(quote: Quote, context: _Context, s_start: int, s_end: int) -> None:
    """Speaker from the sentence(s) the quote sits in: `s_start` opens the sentence where the
    quote opens, `s_end` closes the one where it closes."""
    text = context.text
    after_start = quote.end + 1
    m = _AFTER.match(text, after_start, max(after_start, s_end))
    if m and _speaker(quote, context, m):
        return
    before_end = max(s_start, quote.start - 1)
    m = _BEFORE.search(text, max(s_start, before_end - BEFORE_WINDOW), before_end)
    if m and _speaker(quote, context, m):
        return
    lo = max(s_start, before_end - SUBJECT_WINDOW)
    cue = _SUBJECT_CUE.search(text, lo, before_end)
    if cue:
        # the sentence's subject: its first person, else its first actor ("Iran ..., calling it “…”")
        subject = context.people.starting_in(lo, cue.start())[:1]
        subject = subject or context.mentions.starting_in(lo, cue.start())[:1]
        if subject:
            _set_subject(quote, context, _Mention(*subject[0]), cue.start(), cue.group())


def _speaker(quote: Quote, context: _Context, m: re.Match) -> bool:
    """Fill the quote's speaker from a matched attribution; False when it names nobody."""
    name = next((n for n in ("who1", "who2", "who3", "who4") if m.groupdict().get(n)), None)
    if name is None:
        return False
    cue = next((m.group(c) for c in ("cue1", "cue2", "cue4") if m.groupdict().get(c)), None) or "according to"
    who_start, who_end = m.start(name), m.end(name)
    who = context.text[who_start:who_end].strip()
    words = who.lower().split()
    if not words or len(words) > 9 or not _noun_phrase(who):
        return False
    inside = [a for _, _, a in context.mentions.within(who_start, who_end)]
    person = next((a for a in reversed(inside) if a.type == "person"), None)
    if person is not None:
        _set(quote, person, who, cue)
        return True
    if words[-1] in PRONOUNS or (words[0] == "the" and words[-1] in PERSON_ROLES):
        actor = _antecedent(words, context, inside, quote.start)
        if actor is not None:
            _set(quote, actor, who, cue)
            return True
        if not inside:
            return False
    head = _head(words)
    if inside and (head in STANDS_FOR or not _modifies(context, who_start, who_end)):
        _set(quote, inside[-1], who, cue)
        return True
    quote.speaker_name = quote.speaker_text = who
    quote.cue = cue
    return True


def _noun_phrase(who: str) -> bool:
    """False for words that cannot name a speaker ("rejected what it")."""
    words = who.split()
    if len(words) == 1 and words[0].lower() in PRONOUNS:
        return True  # "it said": a pronoun alone names a speaker; "what it called" does not
    if any(w.lower() in _NOT_A_SPEAKER for w in words):
        return False
    return not (words[0].islower() and words[0].endswith(("ed", "ing")))


def _head(words: list[str]) -> str:
    """The head noun: the last word before a preposition ("spokesperson for X")."""
    before = next((i for i, w in enumerate(words) if w in _PREPOSITIONS), len(words))
    return re.sub(r"[’']s?$", "", words[max(before - 1, 0)])


def _modifies(context: _Context, start: int, end: int) -> bool:
    """True when the phrase is about something its actor only qualifies: the actor is not the
    phrase's last word ("the UK Ministry of Defence", "a spokesperson for South Korea's army")."""
    last = max((e for _, e, _ in context.mentions.within(start, end)), default=end)
    return bool(re.sub(r"^[’']s?", "", context.text[last:end].strip()))


def _antecedent(words: list[str], context: _Context, inside, pos: int) -> Actor | None:
    """The person a pronoun or a role stands for: the most recent person named before, or for a
    role with a country ("the Ukrainian minister") the most recent person titled with it."""
    if words[-1] in PRONOUNS:
        return context.subject_before(pos, people=words[-1] != "it")
    last = next(context.people.ending_by(pos), None)
    if last is None:
        return None
    countries = {a.id for a in inside if a.type != "person"}
    if not countries:
        return last[2]
    titled = [t for t in (context.titled(c, pos) for c in countries) if t is not None]
    return max(titled, key=lambda t: t[0])[1] if titled else None


def _title_ids(text: str, person: Actor, mentions: Spans[Actor]) -> set[str]:
    """Ids of the actors named in a person's titles: before a mention in the same clause
    ("Ukrainian Foreign Minister X") or in an apposition after it ("X, the German envoy,")."""
    ids: set[str] = set()
    for m in person.mentions:
        window = max(0, m.start - TITLE_WINDOW)
        spans = [(max(text.rfind(c, window, m.start) for c in ',.;\n“”"') + 1, m.start)]
        if spans[0][0] == 0:
            spans[0] = (window, m.start)
        if _APPOSITION.match(text, m.end):
            limit = m.end + 1 + TITLE_WINDOW
            ends = [i for i in (text.find(c, m.end + 1, limit) for c in ",.;\n") if i != -1]
            spans.append((m.end, min(ends, default=m.end)))
        for lo, hi in spans:
            ids.update(a.id for _, _, a in mentions.within(lo, hi) if a is not person)
    return ids


def _set(quote: Quote, actor: Actor, written: str, cue: str | None) -> None:
    quote.speaker_id, quote.speaker_name, quote.speaker_text, quote.cue = actor.id, actor.name, written, cue


def _set_subject(quote: Quote, context: _Context, subject: _Mention, cue_start: int, cue: str) -> None:
    """The sentence's subject speaks. "Pyongyang’s state news agency, KCNA, rejected …": an
    apposition names the speaker; "The UK Ministry of Defence said …": the actor only qualifies
    the phrase, which is kept as written."""
    text = context.text
    tail = _NOUN_TAIL.match(text, subject.end, cue_start)  # optional throughout: always matches
    end = tail.end() if tail else subject.end
    phrase = text[subject.start : end]
    if text.startswith(",", end):
        close = text.find(",", end + 1, cue_start)
        named = context.mentions.within(end + 1, close) if close != -1 else []
        if named and not text[end + 1 : named[0][0]].strip():
            _set(quote, named[0][2], text[named[0][0] : named[0][1]], cue)
            return
    words = phrase.lower().split()
    if (
        subject.actor.type == "person"
        or len(words) > 6
        or not _modifies(context, subject.start, subject.start + len(phrase))
        or _head(words) in STANDS_FOR
    ):
        _set(quote, subject.actor, text[subject.start : subject.end], cue)
        return
    quote.speaker_name = quote.speaker_text = phrase
    quote.cue = cue


def _share_attribution(quotes: list[Quote], context: _Context) -> None:
    """Quotes without a speaker take one from a quote of the same sentence, or from the quote
    just before when only its attribution stands between them (“…,” he said. “…”)."""
    sentence_of = [context.sentence_at(q.start) or (q.start, q.end) for q in quotes]
    first_with_speaker: dict[tuple[int, int], int] = {}  # per sentence, the first quote with a speaker
    for i in reversed(range(len(quotes))):
        if quotes[i].speaker_name:
            first_with_speaker[sentence_of[i]] = i
    for i, quote in enumerate(quotes):
        if quote.speaker_name is not None:
            continue
        same = first_with_speaker.get(sentence_of[i])
        if same is not None:
            _copy(quote, quotes[same])
        elif i > 0 and quotes[i - 1].speaker_name:
            previous = quotes[i - 1]
            between = context.text[previous.end + 1 : quote.start - 1]
            if previous.group == quote.group or _SENTENCE_THEN_QUOTE.match(between):
                _copy(quote, previous)
                quote.group = previous.group
        if quote.speaker_name and (same is None or i < same):
            first_with_speaker[sentence_of[i]] = i


def _copy(quote: Quote, source: Quote) -> None:
    quote.speaker_id, quote.speaker_name = source.speaker_id, source.speaker_name
    quote.speaker_text, quote.cue = source.speaker_text, source.cue
