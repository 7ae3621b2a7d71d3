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
# Verbs that put words in someone's mouth without a speech verb: "dismissed the reports as “…”".
CHARACTERIZE = r"dismissed|rejected|denied|confirmed|branded|labell?ed|termed|described|accused|vowed|pledged|promised|condemned"
# "Ukrainian officials said": the head stands for the actor it modifies.
STANDS_FOR = {
    "officials",
    "authorities",
    "government",
    "military",
    "forces",
    "army",
    "leadership",
    "administration",
}
# Words that cannot open a speaker's noun phrase: "rejected what it called “…”".
_NOT_A_SPEAKER = {"what", "which", "who", "whom", "that", "it", "this", "there"}
_PREPOSITIONS = {"of", "for", "at", "in", "with", "from", "on"}
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
# What follows an actor in the noun phrase it qualifies: "’s state news agency", " Ministry of Defence".
_NOUN_TAIL = re.compile(
    r"(?:[’']s(?:\s+(?!(?:on|in|at|has|have|had|was|were|is|also|who|which)\b)[a-z][\w-]*){1,4}"
    r"|(?:\s+(?:(?:of|for|and|the)\s+)*[A-Z][\w-]*)+)?"
)
_APPOSITION = re.compile(r",\s+(?:the|a|an|[A-Z])")
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
    cue = _SUBJECT_CUE.search(before)
    if cue:
        # the sentence's subject: its first person, else its first actor ("Iran ..., calling it “…”")
        subject = [p for p in people if s_start <= p.start < s_start + cue.start()]
        subject = subject or [
            _Mention(s, e, a) for s, e, a in mentions if s_start <= s < s_start + cue.start()
        ]
        if subject:
            _set_subject(quote, text, subject[0], s_start + cue.start(), mentions, cue.group())


def _speaker(quote: Quote, text: str, offset: int, m: re.Match, people, mentions) -> bool:
    """Fill the quote's speaker from a matched attribution; False when it names nobody."""
    name = next((n for n in ("who1", "who2", "who3") if m.groupdict().get(n)), None)
    if name is None:
        return False
    cue = next((m.group(c) for c in ("cue1", "cue2") if m.groupdict().get(c)), None) or "according to"
    who_start, who_end = offset + m.start(name), offset + m.end(name)
    who = text[who_start:who_end].strip()
    words = who.lower().split()
    if not words or len(words) > 9 or not _noun_phrase(who):
        return False
    inside = [a for s, e, a in mentions if who_start <= s and e <= who_end]
    person = next((a for a in reversed(inside) if a.type == "person"), None)
    if person is not None:
        _set(quote, person, who, cue)
        return True
    if words[-1] in PRONOUNS or (words[0] == "the" and words[-1] in PERSON_ROLES):
        actor = _antecedent(words, text, inside, [p for p in people if p.end <= quote.start], mentions)
        if actor is not None:
            _set(quote, actor, who, cue)
            return True
        if not inside:
            return False
    head = _head(words)
    if inside and (head in STANDS_FOR or not _modifies(text, who_start, who_end, mentions)):
        _set(quote, inside[-1], who, cue)
        return True
    quote.speaker_name = quote.speaker_text = who
    quote.cue = cue
    return True


def _noun_phrase(who: str) -> bool:
    """False for words that cannot name a speaker ("rejected what it")."""
    words = who.split()
    if any(w.lower() in _NOT_A_SPEAKER for w in words):
        return False
    return not (words[0].islower() and words[0].endswith(("ed", "ing")))


def _head(words: list[str]) -> str:
    """The head noun: the last word before a preposition ("spokesperson for X")."""
    before = next((i for i, w in enumerate(words) if w in _PREPOSITIONS), len(words))
    return re.sub(r"[’']s?$", "", words[max(before - 1, 0)])


def _modifies(text: str, start: int, end: int, mentions) -> bool:
    """True when the phrase is about something its actor only qualifies: the actor is not the
    phrase's last word ("the UK Ministry of Defence", "a spokesperson for South Korea's army")."""
    last = max((e for s, e, _ in mentions if start <= s and e <= end), default=end)
    return bool(re.sub(r"^[’']s?", "", text[last:end].strip()))


def _antecedent(words: list[str], text: str, inside, earlier: list[_Mention], mentions) -> Actor | None:
    """The person a pronoun or a role stands for: the most recent person named before, or for a
    role with a country ("the Ukrainian minister") the most recent person titled with it."""
    if not earlier:
        return None
    countries = {a.id for a in inside if a.type != "person"}
    if words[-1] in PRONOUNS or not countries:
        return earlier[-1].actor
    for person in reversed(earlier):
        if countries & _title_ids(text, person.actor, mentions):
            return person.actor
    return None


def _title_ids(text: str, person: Actor, mentions) -> set[str]:
    """Ids of the actors named in a person's titles: before a mention in the same clause
    ("Ukrainian Foreign Minister X") or in an apposition after it ("X, the German envoy,")."""
    spans = []
    for m in person.mentions:
        spans.append((max(text.rfind(c, 0, m.start) for c in ',.;\n“”"') + 1, m.start))
        if _APPOSITION.match(text, m.end):
            ends = [i for i in (text.find(c, m.end + 1) for c in ",.;\n") if i != -1]
            spans.append((m.end, min(ends, default=m.end)))
    return {a.id for s, e, a in mentions if a is not person and any(lo <= s and e <= hi for lo, hi in spans)}


def _set(quote: Quote, actor: Actor, written: str, cue: str | None) -> None:
    quote.speaker_id, quote.speaker_name, quote.speaker_text, quote.cue = actor.id, actor.name, written, cue


def _set_subject(quote: Quote, text: str, subject: _Mention, cue_start: int, mentions, cue: str) -> None:
    """The sentence's subject speaks. "Pyongyang’s state news agency, KCNA, rejected …": an
    apposition names the speaker; "The UK Ministry of Defence said …": the actor only qualifies
    the phrase, which is kept as written."""
    end = subject.end + _NOUN_TAIL.match(text, subject.end, cue_start).end() - subject.end
    phrase = text[subject.start : end]
    if text.startswith(",", end):
        close = text.find(",", end + 1, cue_start)
        named = [(s, e, a) for s, e, a in mentions if end < s and close != -1 and e <= close]
        if named and not text[end + 1 : named[0][0]].strip():
            _set(quote, named[0][2], text[named[0][0] : named[0][1]], cue)
            return
    words = phrase.lower().split()
    if (
        subject.actor.type == "person"
        or len(words) > 6
        or not _modifies(text, subject.start, subject.start + len(phrase), mentions)
        or _head(words) in STANDS_FOR
    ):
        _set(quote, subject.actor, text[subject.start : subject.end], cue)
        return
    quote.speaker_name = quote.speaker_text = phrase
    quote.cue = cue


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
