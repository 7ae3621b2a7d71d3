"""rules.actors: gazetteer actors, plus people and organisations named with a role or a reporting cue.

Known actors come from the gazetteer every plugin contributes to (``found.gazetteer``):
names, aliases, demonyms ("North Korean") and metonyms ("Pyongyang", "the Kremlin") all
resolve to one id. People the gazetteer does not know are found where the text gives a cue —
a title before the name ("Foreign Minister Ana Costa"), a reporting verb around it ("Costa
said", "according to Ana Costa"), or an apposition ("Ana Costa, a senior analyst at X, said").
Within a document a later surname ("Costa") or role ("the Portuguese foreign minister") is
the same person.
"""

from __future__ import annotations

import bisect
import re
import weakref
from dataclasses import dataclass, field

from claimscope.actors import Gazetteer, normalize_name, slugify
from claimscope.models import Actor, ActorEntry, ActorType, DocumentIn, Extraction, Mention

from claimscope_rules.lexicon import (
    GENERIC_INSTITUTION_WORDS,
    GENERIC_MODIFIERS,
    JOINED_PARTICLES,
    NAME_CONNECTORS,
    NAME_CUE_VERBS,
    NOT_NAMES,
    ORGANIZATION_WORDS,
    PARTICLES,
    TITLES,
    alternation,
)
from claimscope_rules.lexicon import ORGANIZATION_HEADS as ORGANIZATION_HEAD_WORDS
from claimscope_rules.text import TOKEN, words_before

ROLES = TITLES
_ROLE_RE = re.compile(rf"\b(?P<role>{ROLES})$")
_LEADING_ROLE = re.compile(rf"(?:{ROLES})\s+")
SPEECH_VERBS = alternation(NAME_CUE_VERBS)
# Article text is hostile: every repetition below is bounded or possessive, and a name starts
# only at a word boundary, so each place in the text costs a bounded amount of work (a run of
# capitalised words is never re-split word by word, which took quadratic time).
# A capitalised word: up to four hyphen/apostrophe parts ("Jong-un", "O’Brien"), possessive.
_CAP = r"\b[A-Z]\w*+(?:['’-]\w++){0,3}+"
_NAME_WORD = rf"(?:{_CAP}|\b(?:{alternation(JOINED_PARTICLES)})-{_CAP})"
# Two to six words; particles ("de", "van") inside.
_NAME = rf"{_CAP}(?:\s++(?:{_NAME_WORD}|(?:{'|'.join(sorted(PARTICLES))})\b)){{0,4}}\s++{_NAME_WORD}"
_NAME_AFTER_ROLE = re.compile(rf"\b(?P<role>{ROLES})\s+(?P<name>{_NAME})")
_NAME_BEFORE_VERB = re.compile(rf"(?P<name>{_NAME}),?\s+(?:{SPEECH_VERBS})\b")
_VERB_BEFORE_NAME = re.compile(rf"\b(?:said|says|told|wrote|according to)\s+(?P<name>{_NAME})\b")
_APPOSITION = re.compile(
    rf"(?P<name>{_NAME}),\s+(?:a|an|the)\s+(?P<role>[^,]{{3,80}}?)(?:\s+(?:at|of|with|for)\s+(?P<org>(?:the\s+)?{_CAP}(?:\s+(?:of|for|and|the|{_CAP})){{0,6}}))?,\s+(?:{SPEECH_VERBS})\b"
)
_ROLE_REFERENCE = re.compile(
    rf"\b[Tt]he\s+(?P<demonym>[A-Z][\w-]+(?:\s+[A-Z][\w-]+)?)\s+(?P<role>{ROLES.lower()})\b"
)
_POSSESSIVE_TAIL = re.compile(r"['’]s?$")
_WORD = re.compile(r"\w+")
_WORD_CHAR = re.compile(r"\w")
# Actors are listed in the order the text introduces them; a person introduced with a title
# ("Ukrainian President X") comes before the country named in the title.
TYPE_ORDER = {"person": 0, "country": 1, "organization": 2, "group": 3, "place": 4}


@dataclass
class _Found:
    """An actor as this document sees it, before it becomes an Actor."""

    id: str
    name: str
    type: ActorType
    mentions: dict[tuple[int, int], str] = field(default_factory=dict)
    anchor: int | None = None  # where a person is introduced, title included ("Ukrainian President X")

    def first(self) -> int:
        return min(self.anchor if self.anchor is not None else 1 << 62, min(self.mentions)[0])


class ActorsExtractor:
    name = "rules.actors"
    version = "0.1.0"
    produces = ("actors",)
    requires = ()

    def extract(self, document: DocumentIn, found) -> Extraction:
        text = document.text
        index = _FormIndex.of(found.gazetteer)
        actors: dict[str, _Found] = {}
        taken = bytearray(len(text))  # 1 where a mention already sits

        def add(entry_id: str, name: str, type_: ActorType, start: int, end: int) -> None:
            actor = actors.setdefault(entry_id, _Found(entry_id, name, type_))
            actor.mentions[(start, end)] = text[start:end]
            taken[start:end] = b"\x01" * (end - start)

        def free(start: int, end: int) -> bool:
            return taken.find(1, start, end) == -1

        known = list(index.matches(text))
        people = _people(text, index, [(s, e, entry) for s, e, entry in known if entry.type == "person"])
        for person in people.values():
            for start, end in person.spans:
                add(person.id, person.name, person.type, start, end)
            actors[person.id].anchor = person.anchor
        organizations = list(_organizations(text, index, _main_country(known)))
        for org_id, name, spans, of_country in organizations:
            for start, end in spans if of_country else ():  # "Mali’s Defence Ministry" before "Mali"
                if free(start, end):
                    add(org_id, name, "organization", start, end)
        for start, end, entry in known:
            if free(start, end):
                add(entry.id, entry.name, entry.type, start, end)
        for org_id, name, spans, of_country in organizations:
            for start, end in () if of_country else spans:
                if free(start, end):
                    add(org_id, name, "organization", start, end)
        for start, end, person_id in _later_references(text, actors, people, index):
            if free(start, end):
                named = actors[person_id]
                add(named.id, named.name, named.type, start, end)
        ordered = sorted(actors.values(), key=lambda a: (a.first(), TYPE_ORDER.get(a.type, 9)))
        return Extraction(actors=[_to_actor(a) for a in ordered])


def _to_actor(found: _Found) -> Actor:
    mentions = [Mention(text, start, end) for (start, end), text in sorted(found.mentions.items())]
    return Actor(
        id=found.id,
        name=found.name,
        type=found.type,
        aliases=list(dict.fromkeys(m.text for m in mentions)),
        mentions=mentions,
    )


class _FormIndex:
    """Every gazetteer form as a token sequence, looked up by its first token."""

    _cache: weakref.WeakKeyDictionary[Gazetteer, _FormIndex] = weakref.WeakKeyDictionary()

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer
        self._memo: dict[str, tuple[ActorEntry, str] | None] = {}
        self.by_first: dict[str, list[tuple[tuple[str, ...], ActorEntry]]] = {}
        for surface, entry, kind in gazetteer.forms():
            forms = [surface]
            if kind == "demonym" and surface.endswith(("an", "i")):
                forms.append(surface + "s")  # Ukrainians, Israelis
            for form in forms:
                tokens = tuple(TOKEN.findall(form))
                if tokens and tokens[0].lower() == "the" and len(tokens) > 1:
                    tokens = tokens[1:]
                if tokens:
                    self.by_first.setdefault(tokens[0], []).append((tokens, entry))
        for candidates in self.by_first.values():
            candidates.sort(key=lambda c: -len(c[0]))

    def lookup_form(self, surface: str) -> tuple[ActorEntry, str] | None:
        """The gazetteer's entry for a surface form, but an acronym only in capitals: "Un" in
        "Kim Jong Un" is not the UN, nor "Us" the US."""
        if surface not in self._memo:
            if len(self._memo) > 100_000:
                self._memo.clear()  # shared by every document: bounded, whatever they hold
            hit = self.gazetteer.lookup_form(surface)
            if hit is not None and not surface.isupper():
                key = normalize_name(surface)
                forms = [hit[0].name, *hit[0].aliases, *hit[0].demonyms, *hit[0].metonyms]
                if all(f.isupper() for f in forms if normalize_name(f) == key):
                    hit = None
            self._memo[surface] = hit
        return self._memo[surface]

    def lookup(self, surface: str) -> ActorEntry | None:
        hit = self.lookup_form(surface)
        return hit[0] if hit else None

    @classmethod
    def of(cls, gazetteer: Gazetteer) -> _FormIndex:
        index = cls._cache.get(gazetteer)
        if index is None:
            index = cls._cache[gazetteer] = cls(gazetteer)
        return index

    def matches(self, text: str):
        """(start, end, entry) for the longest gazetteer form at each place, left to right."""
        tokens = [(m.group(), m.start(), m.end()) for m in TOKEN.finditer(text)]
        i = 0
        while i < len(tokens):
            hit = None
            for form, entry in self.by_first.get(tokens[i][0], ()):
                n = len(form)
                if tuple(t[0] for t in tokens[i : i + n]) == form and _adjacent(text, tokens[i : i + n]):
                    hit = (n, entry)
                    break
            if hit:
                n, entry = hit
                yield tokens[i][1], tokens[i + n - 1][2], entry
                i += n
            else:
                i += 1


def _adjacent(text: str, tokens: list[tuple[str, int, int]]) -> bool:
    """Tokens of one name are separated by spaces or hyphens only (not by punctuation)."""
    return all(text[a[2] : b[1]].strip(" -'’") == "" for a, b in zip(tokens, tokens[1:], strict=False))


@dataclass
class _Person:
    id: str
    name: str
    type: ActorType = "person"  # or "organization", for a newsroom or agency met the same way
    spans: list[tuple[int, int]] = field(default_factory=list)
    roles: set[tuple[str | None, str]] = field(default_factory=set)
    anchor: int | None = None


def _people(text: str, index: _FormIndex, known: list[tuple[int, int, ActorEntry]]) -> dict[str, _Person]:
    """People named with a cue; gazetteer people keep their canonical id and their full name
    as the gazetteer spells it ("leader Kim Jong Un" is not cut to "Kim Jong")."""
    people: dict[str, _Person] = {}
    cued: list[tuple[int, int, re.Match | None]] = []
    for m in _NAME_AFTER_ROLE.finditer(text):
        cued.append((m.start("name"), m.end("name"), m))
    for pattern in (_NAME_BEFORE_VERB, _VERB_BEFORE_NAME, _APPOSITION):
        for m in pattern.finditer(text):
            cued.append((m.start("name"), m.end("name"), None))
    known_ends = [e for _, e, _ in known]  # gazetteer matches do not overlap: sorted by both ends
    claimed = bytearray(len(text))  # 1 where a person's span already sits
    # names after a title first: "Secretary of State Antony Blinken said" must not yield "State Antony Blinken"
    for start, end, role in sorted(cued, key=lambda c: (c[2] is None, c[0])):
        start, end = _trim_name(text, start, end, index)
        if end > start:  # a gazetteer person overlapping the name is the name, spelt as the gazetteer has it
            i = bisect.bisect_right(known_ends, start)
            if i < len(known) and known[i][0] < end:
                start, end = known[i][0], known[i][1]
        if end - start < 3 or claimed.find(1, start, end) != -1:
            continue
        name = text[start:end]
        entry = index.lookup(name)
        if entry is not None and entry.type != "person":
            continue
        organization = entry is None and _looks_like_organization(text, start, name)
        if organization and _country_before(text, start, index):
            continue  # "the Polish Border Guard": an institution of a country, which keeps the mention
        person_id, canonical = (
            (entry.id or slugify(entry.name), entry.name) if entry else (slugify(name), name)
        )
        person = people.setdefault(person_id, _Person(person_id, canonical))
        if organization:
            person.type = "organization"
        person.spans.append((start, end))
        claimed[start:end] = b"\x01" * (end - start)
        if role:
            country, title_start = _role_country(text, role.start("role"), index)
            person.roles.add((country, role.group("role").lower().rstrip(".")))
            if person.anchor is None:
                person.anchor = title_start
    return people


def _trim_name(text: str, start: int, end: int, index: _FormIndex) -> tuple[int, int]:
    """Drop words at either end that are not part of a name (demonyms, titles, weekdays);
    an empty span when what is left is a single word the gazetteer does not know."""
    words = [(m.start() + start, m.end() + start, m.group()) for m in re.finditer(r"\S+", text[start:end])]
    while words:
        role = _LEADING_ROLE.match(text, words[0][0])
        if role:
            words = [w for w in words if w[0] >= role.end()]
        elif _not_a_name_word(words[0][2], index) and (len(words) > 2 or _is_demonym(words[0][2], index)):
            words.pop(0)  # "Lithuanian", "NATO" before a name; but "Jordan Peterson" stays whole
        else:
            break
    while words and _not_a_name_word(_POSSESSIVE_TAIL.sub("", words[-1][2]), index):
        words.pop()
    if not words or (len(words) == 1 and index.lookup(words[0][2]) is None):
        return start, start
    tail = _POSSESSIVE_TAIL.search(words[-1][2])
    return words[0][0], words[-1][1] - (len(tail.group()) if tail else 0)


def _not_a_name_word(word: str, index: _FormIndex) -> bool:
    hit = index.lookup_form(word)
    return word in NOT_NAMES or bool(_ROLE_RE.search(word)) or (hit is not None and hit[0].type != "person")


def _looks_like_organization(text: str, start: int, name: str) -> bool:
    """ "the Wall Street Journal reported": an article before the name, or an institution's word in it."""
    return text[max(0, start - 4) : start].lower() == "the " or name.split()[-1].lower() in ORGANIZATION_WORDS


ORGANIZATION_HEADS = alternation(ORGANIZATION_HEAD_WORDS)
ORGANIZATION_HEAD_SET = set(ORGANIZATION_HEAD_WORDS)
_HEAD = re.compile(
    rf"\b(?=[A-Z])(?:{ORGANIZATION_HEADS})\b(?P<tail>(?:\s+(?:of|for|on)(?:\s+the)?(?:\s+[A-Z][\w'’-]*)+)*)"
)
_ACRONYM = re.compile(r"\(\s*(?P<acronym>[A-Z][A-Z&]{1,7})\s*\)")
_CONNECTORS = NAME_CONNECTORS


def _organizations(text: str, index: _FormIndex, main_country: ActorEntry | None):
    """(id, name, spans, of a country) of organisations the gazetteer may not know: a name
    defined with its acronym ("Rapid Support Forces (RSF)", later "RSF" alone), capitalised
    words ending in an institution's word ("the Atlantic Council"), and the institutions every
    country has ("Mali’s Defence Ministry", "the Belarusian Ministry of Internal Affairs", "the
    foreign ministry" of the country the article is about), one id per country."""
    defined: set[str] = set()
    for m in _ACRONYM.finditer(text):
        acronym = m.group("acronym")
        run = _run_before(text, m.start())
        initials = [w for w in run if w[2][0].isupper()]
        for i in range(len(initials)):
            if "".join(w[2][0] for w in initials[i:]) == acronym.replace("&", ""):
                start, end = initials[i][0], run[-1][1]
                break
        else:
            continue
        name = text[start:end]
        entry = index.lookup(name) or index.lookup(acronym)
        if entry is not None and entry.type == "person":
            continue
        org_id, canonical = (entry.id, entry.name) if entry else (slugify(name), name)
        spans = [(start, end)]
        if acronym not in defined:  # the acronym's uses are the first definition's (found once: linear)
            defined.add(acronym)
            spans += [
                (a.start(), a.end()) for a in re.finditer(rf"(?<![\w-]){re.escape(acronym)}(?![\w-])", text)
            ]
        yield org_id, canonical, spans, False
    for m in _HEAD.finditer(text):
        head_end = m.end() - len(m.group("tail"))
        run = _run_before(text, head_end)
        ands = [i for i, w in enumerate(run) if w[2] == "and"]
        if ands and any(w[2] in ORGANIZATION_HEAD_SET for w in run[: ands[-1]]):
            run = run[ands[-1] + 1 :]  # "the Foreign Ministry and the Border Guard": two institutions
            while run and run[0][2] in _CONNECTORS:
                run.pop(0)
        if not run:
            continue
        start, end = run[0][0], m.end()
        country = _country_of(text, run, m.group("tail"), index)
        institution = [w[2] for w in run if not _is_country(w[2], index)]
        if country is not None and _generic(institution, m.group("tail"), country, index):
            name = _institution_name(institution, m.group("tail"), country, index)
            yield slugify(f"{country.name} {name}"), f"{name} of {country.name}", [(start, end)], True
            continue
        before_head = [w for w in run[:-1] if w[2][0].isupper()]
        if not before_head or (len(run) == 2 and run[0][2] in GENERIC_MODIFIERS):
            continue
        name = text[start:end]
        if index.lookup(name) is not None or any(index.lookup(w[2]) for w in run):
            continue  # a known actor
        # "the U.S. Federal Aviation Administration": the country's word names the agency
        before = next(words_before(text, max(0, start - 40), start), None)
        if (
            before is not None
            and text[before[1] : start] == " "
            and _is_country(before[2], index)
            and not _POSSESSIVE_TAIL.search(before[2])
        ):
            yield slugify(name), name, [(before[0], end)], True
        else:
            yield slugify(name), name, [(start, end)], False
    if main_country is not None:
        for m in _BARE_MINISTRY.finditer(text):
            name = _institution_name([m.group("modifier").title(), "Ministry"], "", main_country, index)
            yield (
                slugify(f"{main_country.name} {name}"),
                f"{name} of {main_country.name}",
                [(m.start("modifier"), m.end())],
                True,
            )


_BARE_MINISTRY = re.compile(
    rf"\b[Tt]he\s+(?P<modifier>(?i:{alternation(m for m in GENERIC_MODIFIERS if m[0].isupper())}))\s+[Mm]inistry\b"
)
# How institutions are named whatever the word order: "Defence Ministry" is "Ministry of Defence".
_INSTITUTION_SYNONYMS = {"Defense": "Defence", "Foreign": "Foreign Affairs", "Internal Affairs": "Interior"}


def _is_country(word: str, index: _FormIndex) -> bool:
    hit = index.lookup_form(_POSSESSIVE_TAIL.sub("", word))
    return hit is not None and hit[0].type == "country"


def _country_of(text: str, run, tail: str, index: _FormIndex) -> ActorEntry | None:
    """The country an institution belongs to: named in it ("Russian", "U.S."), possessive just
    before it ("Mali’s") or after it ("of Mali")."""
    for _, _, word in run:
        hit = index.lookup_form(word)
        if hit is not None and hit[0].type == "country":
            return hit[0]
    before = next(words_before(text, max(0, run[0][0] - 40), run[0][0]), None)
    if before is not None and _POSSESSIVE_TAIL.search(before[2]):
        hit = index.lookup_form(_POSSESSIVE_TAIL.sub("", before[2]))
        if hit is not None and hit[0].type == "country":
            return hit[0]
    last = tail.split(" of ")[-1].strip() if " of " in tail else ""
    hit = index.lookup_form(last) if last else None
    return hit[0] if hit is not None and hit[0].type == "country" else None


def _generic(institution: list[str], tail: str, country: ActorEntry, index: _FormIndex) -> bool:
    """An institution every country has: all its capitalised words are generic."""
    words = [w for w in institution + _tail_words(tail, index) if w[0].isupper()]
    return bool(words) and all(w in GENERIC_MODIFIERS or w in GENERIC_INSTITUTION_WORDS for w in words)


def _tail_words(tail: str, index: _FormIndex) -> list[str]:
    return [w for w in tail.split() if not _is_country(w, index)]


def _institution_name(institution: list[str], tail: str, country: ActorEntry, index: _FormIndex) -> str:
    """ "Defence Ministry", "Ministry of Defence" -> "Ministry of Defence"."""
    words = institution + [w for w in _tail_words(tail, index)]
    while words and words[-1] in ("of", "the"):
        words.pop()
    head = next((w for w in words if w in ("Ministry", "Department")), None)
    if head is None:
        return " ".join(words)
    modifiers = " ".join(w for w in words if w != head and w not in ("of", "the"))
    modifiers = _INSTITUTION_SYNONYMS.get(modifiers, modifiers)
    return f"{head} of {modifiers}" if modifiers else head


def _main_country(known) -> ActorEntry | None:
    """The country the article names most (first on a tie): whose "the foreign ministry" it is."""
    counts: dict[str, int] = {}
    entries: dict[str, ActorEntry] = {}
    for _, _, entry in known:
        if entry.type == "country":
            counts[entry.id] = counts.get(entry.id, 0) + 1
            entries[entry.id] = entry
    return entries[max(counts, key=lambda i: counts[i])] if counts else None


def _run_before(text: str, end: int) -> list[tuple[int, int, str]]:
    """The words of the capitalised name ending at `end` (connectors like "for the" allowed
    inside), as (start, end, word); a possessive, punctuation or lower-case word stops it."""
    while end > 0 and text[end - 1] == " ":
        end -= 1
    run: list[tuple[int, int, str]] = []
    for word in words_before(text, max(0, end - 150), end):
        w = word[2]
        if run and text[word[1] : run[-1][0]] != " ":
            break
        name_word = w[0].isupper() and re.fullmatch(r"[\w&-]+", w) and w not in NOT_NAMES
        if (w in _CONNECTORS and run) or (name_word and not _ROLE_RE.search(w)):
            run.append(word)
        else:
            break
    run.reverse()
    while run and run[0][2] in _CONNECTORS:
        run.pop(0)
    return run


def _country_before(text: str, start: int, index: _FormIndex) -> bool:
    word = re.search(r"(\S+)\s+$", text[max(0, start - 40) : start])
    hit = index.lookup_form(_POSSESSIVE_TAIL.sub("", word.group(1))) if word else None
    return hit is not None and hit[0].type == "country"


def _is_demonym(word: str, index: _FormIndex) -> bool:
    hit = index.lookup_form(word)
    return word in NOT_NAMES or (hit is not None and hit[1] == "demonym")


def _role_country(text: str, role_start: int, index: _FormIndex) -> tuple[str | None, int]:
    """The country a title belongs to ("Lithuanian Foreign Minister X" -> lithuania) and where
    the title begins, the country's word included."""
    window = max(0, role_start - 40)
    words = list(re.finditer(r"\S+", text[window:role_start]))
    for n in (2, 1):
        if len(words) >= n:
            hit = index.lookup_form(" ".join(w.group() for w in words[-n:]))
            if hit is not None and hit[0].type in ("country", "organization"):
                return hit[0].id, window + words[-n].start()
    return None, role_start


def _later_references(text: str, actors: dict[str, _Found], people: dict[str, _Person], index: _FormIndex):
    """Surnames and role phrases that stand for a person named earlier in the document."""
    surnames: dict[str, str] = {}
    for actor in actors.values():
        if actor.type == "person":
            parts = actor.name.split()
            if len(parts) > 1:
                surnames.setdefault(_POSSESSIVE_TAIL.sub("", parts[-1]), actor.id)
    if surnames:
        # one dictionary look-up per word (an alternation of every surname would cost the text
        # times the number of people)
        by_word: dict[str, list[str]] = {}
        for surname in sorted(surnames, key=len, reverse=True):
            head = _WORD.match(surname)
            if head:
                by_word.setdefault(head.group(), []).append(surname)
        last_end = 0
        for word in _WORD.finditer(text):
            for surname in by_word.get(word.group(), ()) if word.start() >= last_end else ():
                end = word.start() + len(surname)
                if text.startswith(surname, word.start()) and not _WORD_CHAR.match(text, end):
                    yield word.start(), end, surnames[surname]
                    last_end = end
                    break
    roles = {(country, role): p.id for p in people.values() for country, role in p.roles}
    for m in _ROLE_REFERENCE.finditer(text):
        hit = index.lookup_form(m.group("demonym"))
        key = (hit[0].id if hit else None, m.group("role").lower())
        if key in roles:
            # the head noun alone is the mention: "the Ukrainian president" names the person,
            # while "Ukrainian" on its own is still the country
            yield m.start("role"), m.end("role"), roles[key]
