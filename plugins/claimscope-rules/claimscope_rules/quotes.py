"""rules.quotes: direct quotes and who said them.

Quotes are found between straight or curly double marks, and curly single marks that open
after a space; a quote left open at a paragraph end continues when the next paragraph opens
with a mark. The speaker comes from the attribution after the quote ("…,” Costa said / said
a senior analyst), before it ("Costa said: “…”", "Costa’s warning that “…”"), another quote
of the same sentence, the person the sentence is about, or the quote just before (“…,” he
said. “…”). A pronoun or a role ("he", "the minister") is the person last named. A speaker
who is not a known actor ("a defense analyst in Kyiv") keeps the words with a null id; a
quote without any of these keeps a null speaker.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from claimscope.models import Actor, DocumentIn, Extraction, Quote

from claimscope_rules.text import sentences

SPEECH = (
    r"said|says|say|told|tells|added|adds|wrote|writes|warned|warns|noted|notes|stated|states|argued|"
    r"argues|explained|insisted|declared|announced|asked|replied|posted|tweeted|stressed|emphasized|"
    r"emphasised|urged|acknowledged|admitted|claimed|continued|concluded|remarked|recalled|commented|"
    r"called|describes|described"
)
SPEECH_NOUNS = (
    r"warning|statement|remarks?|words|message|comments?|call|plea|claim|assertion|promise|pledge|view"
)
PRONOUNS = {"he", "she", "they", "i", "we"}
# "the minister said" stands for the person last named; "the ministry said" does not.
PERSON_ROLES = {
    "president",
    "minister",
    "premier",
    "chancellor",
    "spokesman",
    "spokeswoman",
    "spokesperson",
    "leader",
    "official",
    "secretary",
    "general",
    "commander",
    "ambassador",
    "envoy",
    "senator",
    "governor",
    "mayor",
    "king",
    "queen",
    "prince",
    "pope",
    "chief",
    "director",
    "chairman",
    "chairwoman",
    "analyst",
    "diplomat",
}
_SENTENCE_THEN_QUOTE = re.compile(r"^[^“”\"]{0,120}[.!?]\s*$")
_OPENERS = {"“": "”", '"': '"', "‘": "’", "«": "»"}
_AFTER = re.compile(
    rf"^[\s,]*(?:(?P<cue1>{SPEECH})\s+(?P<who1>[^,.;“”\"]{{2,80}}?)(?=[,.;]|\s+(?:on|in|at|during|after|adding)\b|$)"
    rf"|(?P<who2>[^,.;“”\"]{{1,80}}?)\s+(?:has\s+|had\s+|also\s+|later\s+)?(?P<cue2>{SPEECH})\b)"
)
_BEFORE = re.compile(
    rf"(?:(?P<who1>[^,.;“”\"]{{1,80}}?)\s+(?:has\s+|had\s+|also\s+)?(?P<cue1>{SPEECH})(?:\s+[\w’']+){{0,4}}?"
    rf"|(?P<who2>[^,.;“”\"]{{1,80}}?)[’']s?\s+(?P<cue2>{SPEECH_NOUNS})(?:\s+that)?"
    rf"|according\s+to\s+(?P<who3>[^,.;“”\"]{{1,80}}?),?)\s*[:,]?\s*$"
)
_PARTICIPLE = re.compile(
    r"\b(?:saying|adding|calling|describing|warning|noting|arguing|insisting|writing|telling)\b"
)


@dataclass
class _Part:
    start: int  # first character inside the marks
    end: int
    group: int


class QuotesExtractor:
    name = "rules.quotes"
    version = "0.1.0"
    produces = ("quotes",)
    requires = ("actors",)

    def extract(self, document: DocumentIn, found) -> Extraction:
        text = document.text
        parts = _quoted_parts(text)
        people = _person_mentions(found.actors)
        mentions = sorted((m.start, m.end, a) for a in found.actors for m in a.mentions)
        bounds = [(s.start, s.end) for s in sentences(text)]
        quotes: list[Quote] = []
        for part in parts:
            quote = Quote(text=text[part.start : part.end], start=part.start, end=part.end, group=part.group)
            opening = next(((s, e) for s, e in bounds if s <= part.start < e), (part.start, part.end))
            closing = next(((s, e) for s, e in bounds if s <= part.end < e), opening)
            _attribute(quote, text, opening[0], closing[1], people, mentions)
            quotes.append(quote)
        _share_attribution(quotes, text, bounds)
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


def _person_mentions(actors: list[Actor]) -> list[_Mention]:
    return sorted(
        (_Mention(m.start, m.end, a) for a in actors if a.type == "person" for m in a.mentions),
        key=lambda m: m.start,
    )


def _attribute(quote: Quote, text: str, s_start: int, s_end: int, people, mentions) -> None:
    """Speaker from the sentence(s) the quote sits in: `s_start` opens the sentence where the
    quote opens, `s_end` closes the one where it closes."""
    after_start = quote.end + 1
    after = text[after_start:s_end]
    before = text[s_start : quote.start - 1]
    m = _AFTER.match(after)
    if m and _speaker(quote, text, after_start, m, people, mentions):
        return
    m = _BEFORE.search(before)
    if m and _speaker(quote, text, s_start, m, people, mentions):
        return
    if _PARTICIPLE.search(before) or re.search(SPEECH, before):
        # the sentence's subject: its first person, else its first actor ("Iran ..., calling it “…”")
        subject = [p for p in people if s_start <= p.start < quote.start]
        subject = subject or [_Mention(s, e, a) for s, e, a in mentions if s_start <= s < quote.start]
        if subject:
            _set(quote, subject[0].actor, text[subject[0].start : subject[0].end], _cue(before))


def _speaker(quote: Quote, text: str, offset: int, m: re.Match, people, mentions) -> bool:
    """Fill the quote's speaker from a matched attribution; False when it names nobody."""
    name = next((n for n in ("who1", "who2", "who3") if m.groupdict().get(n)), None)
    if name is None:
        return False
    cue = next((m.group(c) for c in ("cue1", "cue2") if m.groupdict().get(c)), None) or "according to"
    who_start, who_end = offset + m.start(name), offset + m.end(name)
    who = text[who_start:who_end].strip()
    words = who.lower().split()
    if not words or len(words) > 9:
        return False
    inside = [a for s, e, a in mentions if who_start <= s and e <= who_end]
    person = next((a for a in reversed(inside) if a.type == "person"), None)
    if person is not None:
        _set(quote, person, who, cue)
        return True
    if words[-1] in PRONOUNS or (words[0] == "the" and words[-1] in PERSON_ROLES and not inside):
        last = [p for p in people if p.end <= quote.start]
        if last:
            _set(quote, last[-1].actor, who, cue)
            return True
        return False
    if inside:
        _set(quote, inside[-1], who, cue)
        return True
    if words[0] not in ("it", "this", "that", "which", "who"):
        quote.speaker_name = quote.speaker_text = who
        quote.cue = cue
        return True
    return False


def _set(quote: Quote, actor: Actor, written: str, cue: str | None) -> None:
    quote.speaker_id, quote.speaker_name, quote.speaker_text, quote.cue = actor.id, actor.name, written, cue


def _cue(before: str) -> str | None:
    m = _PARTICIPLE.search(before) or re.search(SPEECH, before)
    return m.group() if m else None


def _share_attribution(quotes: list[Quote], text: str, bounds: list[tuple[int, int]]) -> None:
    """Quotes without a speaker take one from a quote of the same sentence, or from the quote
    just before when only its attribution stands between them (“…,” he said. “…”)."""

    def sentence_of(q: Quote) -> tuple[int, int]:
        return next(((s, e) for s, e in bounds if s <= q.start < e), (q.start, q.end))

    for i, quote in enumerate(quotes):
        if quote.speaker_name is not None:
            continue
        same = [
            q for q in quotes if q is not quote and q.speaker_name and sentence_of(q) == sentence_of(quote)
        ]
        if same:
            _copy(quote, same[0])
            continue
        if i > 0 and quotes[i - 1].speaker_name:
            previous = quotes[i - 1]
            between = text[previous.end + 1 : quote.start - 1]
            if previous.group == quote.group or _SENTENCE_THEN_QUOTE.match(between):
                _copy(quote, previous)
                quote.group = previous.group


def _copy(quote: Quote, source: Quote) -> None:
    quote.speaker_id, quote.speaker_name = source.speaker_id, source.speaker_name
    quote.speaker_text, quote.cue = source.speaker_text, source.cue
