"""rules.figures: numbers with what they count, their qualifier and whose they are.

"up to 12,000 North Korean soldiers" gives value 12000, unit "soldiers", qualifier "up to" and
the actor north-korea; "two brigades of 6,000 people each" gives 2 brigades and 6000 people
(qualifier "each"); "two or three years" a range; "12 out of every 50 nurses" 12 nurses; "a
52-year-old" 52 years. A number with nothing counted after it takes the noun its clause
counts: "the death toll rose to 412" (deaths), "the number of cases reached 9,800", "killed
31" (people), "4 120 people in the north and 2 310 in the east". Dates, years, ordinals and
periods counted from the start ("the first nine months") are not figures.
"""

from __future__ import annotations

import bisect
import re

from claimscope.models import DocumentIn, Extraction, Figure, Qualifier

from claimscope_rules.lexicon import (
    ADJECTIVE_SUFFIXES,
    CASUALTY_VERBS,
    COUNT_NOUNS,
    IRREGULAR_PLURALS,
    NUMBER_WORDS,
    QUALIFIERS,
    SCALES,
    TALLY_NOUNS,
    TIME_UNITS,
    UNIT_ADJECTIVES,
    UNIT_STOPS,
    alternation,
)
from claimscope_rules.text import words_before

_WORD_NUMBER = r"(?:(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:-(?:one|two|three|four|five|six|seven|eight|nine))?|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|a dozen|dozen|one)"
# thousands grouped by commas, or by (thin, no-break) spaces as many outlets print them: "48 000"
_GROUP_SPACE = "[ \u00a0\u2009\u202f]"
_DIGITS = rf"\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|\d{{1,3}}(?:{_GROUP_SPACE}\d{{3}}(?!\d))++|\d+(?:\.\d+)?"
_SCALE = r"(?:\s*(?:hundred|thousand|million|billion|trillion)\b|(?:bn|mn|tn|[mkb])\b)"
_CURRENCY = r"(?:US\$|\$|€|£|¥|USD\s?|EUR\s?|GBP\s?)"
_NUMBER = rf"(?:{_DIGITS}|\b{_WORD_NUMBER}\b)(?:{_SCALE})?"
_QUALIFIER = "|".join(sorted((re.escape(q) for q in QUALIFIERS), key=len, reverse=True))
FIGURE = re.compile(
    rf"(?P<currency>{_CURRENCY})?(?P<number>{_NUMBER})"
    rf"(?:\s*(?:-|–|to|and|or)\s*(?P=currency)?(?P<number2>{_NUMBER}))?(?P<percent>\s?%|\s(?:percent|per cent)\b)?",
    re.IGNORECASE,
)
# Qualifiers are looked for in the words just before a number (not as part of FIGURE: a leading
# optional alternation would be tried at every character of the text), by dictionary look-up.
_BY_LAST_WORD: dict[str, list[tuple[str, ...]]] = {}
for _q in sorted(QUALIFIERS, key=lambda q: -len(q.split())):
    _BY_LAST_WORD.setdefault(_q.split()[-1], []).append(tuple(_q.split()))
_OPENING = "([{“\"'‘—–-"
_WORD = re.compile(r"\s*(?P<word>[A-Za-z][\w'’-]*)")
ADJECTIVES = UNIT_ADJECTIVES
MAX_UNIT_WORDS = 2
MAX_UNIT_STEPS = 8


class FiguresExtractor:
    name = "rules.figures"
    version = "0.1.0"
    produces = ("figures",)
    requires = ("actors", "dates")

    def extract(self, document: DocumentIn, found) -> Extraction:
        text = document.text
        dates = sorted((d.start, d.end) for d in found.dates)
        date_starts_sorted = [start for start, _ in dates]
        date_starts = {d.start for d in found.dates}
        mentions = sorted((m.start, m.end, a.id) for a in found.actors for m in a.mentions)
        mention_at = {start: (end, actor_id) for start, end, actor_id in mentions}
        figures: list[Figure] = []
        units_seen: set[str] = set()
        clause_ends = [c.start() for c in _CLAUSE_END.finditer(text)]
        taken = 0  # where the last figure ended: "12 out of 50 nurses" reads 50 as part of it
        # Each number costs a few cheap checks before anything else: hostile text can hold one
        # every other character ("1,1,1,...").
        for m in FIGURE.finditer(text):
            number_start = m.start("currency") if m.group("currency") else m.start("number")
            if number_start < taken or _inside(dates, date_starts_sorted, number_start):
                continue
            whole = _whole_after(text, m) if text.startswith(" out of ", m.end()) else None
            counted = whole or m  # the number whose words name the unit
            compound = _COMPOUND_TIME.match(text, m.end()) if text.startswith("-", m.end()) else None
            after = text[counted.end() : counted.end() + 1]
            unit: str | None
            qualifier: Qualifier | None
            if compound:
                unit, actor_id, end, qualifier = f"{compound['unit'].lower()}s", None, compound.end(), None
            elif after.isalpha() or after.isspace() or counted.end() in mention_at:
                unit, actor_id, end, qualifier = _unit_after(text, counted, mention_at, date_starts)
            else:
                unit, actor_id, end, qualifier = None, None, counted.end(), None
            if m.group("percent"):
                unit = "percent"
            elif m.group("currency"):
                unit = _currency_code(m.group("currency"))
            if unit is None:
                unit = _unit_before(text, m.start(), clause_ends, units_seen)
            qualifier_word, start = _qualifier_before(text, m.start())
            if unit is None and not qualifier_word:
                continue  # a bare number with nothing counted is not evidence of anything
            if not compound and _not_a_figure(text, m):
                continue
            value = _value(m.group("number"))
            if value is None:
                continue
            qualifier = qualifier or (QUALIFIERS[qualifier_word] if qualifier_word else None)
            value_max = _value(m.group("number2")) if m.group("number2") else None
            if value_max is not None:
                qualifier = "range"
            figures.append(
                Figure(
                    text=text[start:end],
                    value=value,
                    start=start,
                    end=end,
                    unit=unit,
                    qualifier=qualifier,
                    value_max=value_max,
                    actor_id=actor_id or _actor_between(mentions, start, end),
                )
            )
            if unit:
                units_seen.add(unit)
            taken = end
        return Extraction(figures=figures)


_OUT_OF = re.compile(r"\s+out\s+of\s+(?:every\s+|each\s+)?")
_COMPOUND_TIME = re.compile(rf"-(?P<unit>{alternation(TIME_UNITS)})s?(?:-old)?\b", re.I)


def _whole_after(text: str, m: re.Match) -> re.Match | None:
    """The whole a number is counted out of ("12 out of every 50 nurses"): its unit is the figure's."""
    out_of = _OUT_OF.match(text, m.end())
    return FIGURE.match(text, out_of.end()) if out_of else None


def _not_a_figure(text: str, m: re.Match) -> bool:
    number = m.group("number")
    start = m.start()
    after = text[m.end() : m.end() + 6]
    if _YEAR.fullmatch(number) and not m.group("currency"):
        return True  # a year
    if _ORDINAL_SUFFIX.match(after):
        return True  # an ordinal
    if _FIRST_BEFORE.search(text, max(0, start - 7), start):
        return True  # a period counted from the start: "the first nine months"
    if not number[0].isdigit():
        if (number.lower() == "one" and not m.group("number2")) or _OF_AFTER.match(after):
            return True  # "one of the world's", "two of them"; but "58 of the drones" counts drones
        if _DEFINITE_BEFORE.search(text[max(0, start - 12) : start].lower()):
            return True  # "the two countries" refers back; it counts nothing new
    if start >= 2 and text[start - 1] == "-" and text[start - 2].isascii() and text[start - 2].isalpha():
        return True  # part of a model name: "Fath-360", "Su-34", "F-16"
    if _ADJECTIVE_OR_TIME.match(after):
        return True  # a compound adjective ("a 10-day truce", "12-story") or a time of day
    if start >= 2 and text[start - 1].isspace() and text[start - 2].islower():
        label = _LABEL_BEFORE.search(text, max(0, start - 20), start)
        if label and label.group(1).lower() not in NOT_LABELS:
            return True  # "Article 5", "Resolution 2231", "Boeing 737": a name, not a count
    return start > 0 and bool(_GLUED_BEFORE.match(text, start - 1))


def _qualifier_before(text: str, start: int) -> tuple[str | None, int]:
    """The qualifier ("up to", "more than") in the words just before a number, lower-cased, and
    where the figure starts: at the qualifier or at "between" ("between 10,000 and 12,000")."""
    if start == 0 or not text[start - 1].isspace():
        return None, start
    words = words_before(text, max(0, start - 30), start)
    first = start
    last = next(words, None)
    if last is not None and last[2].lower() == "between":
        first, last = last[0], next(words, None)
    if last is None or last[2].lower() not in _BY_LAST_WORD:
        return None, first
    read = [last]  # the words before the number, nearest first
    for phrase in _BY_LAST_WORD[last[2].lower()]:  # longest first
        while len(read) < len(phrase) and (more := next(words, None)):
            read.append(more)
        if len(read) >= len(phrase) and all(
            w[2].lstrip(_OPENING).lower() == p for w, p in zip(read, reversed(phrase), strict=False)
        ):
            at, _, word = read[len(phrase) - 1]
            return " ".join(phrase), at + len(word) - len(word.lstrip(_OPENING))
    return None, first


def _inside(spans: list[tuple[int, int]], starts: list[int], pos: int) -> bool:
    """Whether `pos` falls in one of the sorted, non-overlapping `spans` (binary search)."""
    i = bisect.bisect_right(starts, pos) - 1
    return i >= 0 and pos < spans[i][1]


_YEAR = re.compile(r"(?:1[89]|20)\d\d")
_ORDINAL_SUFFIX = re.compile(r"(?:st|nd|rd|th)\b")
_OF_AFTER = re.compile(r"\s+of\b")
_FIRST_BEFORE = re.compile(r"\bfirst\s+$", re.I)
_DEFINITE_BEFORE = re.compile(r"\b(?:the|these|those|both|all|its|their)\s+$")
_ADJECTIVE_OR_TIME = re.compile(r"-[A-Za-z]|\s*(?:[ap]\.m\.|[ap]m\b|GMT\b|:\d\d)|:\d\d")
_GLUED_BEFORE = re.compile(r"[\w.]")
_EACH = re.compile(r"\s+each\b")


_LABEL_BEFORE = re.compile(r"\b([A-Z][a-z]+)\s$")
# Capitalised words that may stand before a count: a sentence opening "About 500 ..." or "Some 300".
NOT_LABELS = {
    *(q.split()[0] for q in QUALIFIERS),
    *UNIT_STOPS,
    "between",
    "only",
    "just",
    "another",
    "nearly",
    "exactly",
}


_ATTACHED_SCALE = re.compile(r"([\d.]+)(bn|mn|tn|m|k|b)")


_GROUPED = re.compile(rf"(?<=\d){_GROUP_SPACE}(?=\d)")


def _value(number: str) -> float | None:
    words = _GROUPED.sub("", number).lower().replace(",", "").split()
    scale = 1.0
    head = words[0]
    tail = words[1:]
    attached = _ATTACHED_SCALE.fullmatch(head)
    if attached:
        head, tail = attached.group(1), [attached.group(2), *tail]
    for word in tail:
        scale *= SCALES.get(word, 1.0)
    base: float | None
    try:
        base = float(head)
    except ValueError:
        base = _word_value(head)
    return None if base is None else base * scale


def _word_value(word: str) -> float | None:
    if word in ("dozen", "a"):
        return 12.0
    parts = word.split("-")
    if all(p in NUMBER_WORDS for p in parts):
        return float(sum(NUMBER_WORDS[p] for p in parts))
    return None


def _unit_after(
    text: str, m: re.Match, mention_at: dict[int, tuple[int, str]], date_starts: set[int]
) -> tuple[str | None, str | None, int, Qualifier | None]:
    """(unit, actor id, end of the figure, "each" qualifier) from the words after the number."""
    pos = m.end()
    words: list[str] = []
    end = m.end()
    actor_id = None
    people_of = None  # "1.2 million Palestinians": the plural demonym is what is counted
    for _ in range(MAX_UNIT_STEPS):  # bounded: adjectives and names are skipped, never many
        if len(words) >= MAX_UNIT_WORDS:
            break
        at = _skip_space(text, pos)
        if at < len(text) and not (text[at].isalpha() or text[at].isspace()) and at not in mention_at:
            break  # neither a word nor an actor: nothing counted after the number
        if at in date_starts:
            break  # "$240 billion last year": the unit never runs into a date
        actor = mention_at.get(at)
        if actor is not None and not words:
            if text[at : actor[0]].endswith(("ans", "is")):
                people_of = (text[at : actor[0]], actor[0])
            pos, actor_id = actor
            continue
        w = _WORD.match(text, pos)
        if not w:
            break
        word = w.group("word")
        lower = word.lower()
        if word[0].isupper() and not words and ("-" in word or _names_a_noun(text, w.end())):
            pos = w.end()  # a model name before what it names: "200 Fath-360 missiles", "31 Abrams tanks"
            continue
        if lower in UNIT_STOPS or word[0].isupper():
            break
        if not words and (lower in ADJECTIVES or "-" in word or lower.endswith(("ing", "ed"))):
            pos = w.end()
            continue
        if words and (lower.endswith(("ing", "ed", "ly")) or "-" in word):
            break
        words.append(lower)
        pos = end = w.end()
        if _counted(lower):
            break  # a plural noun ends the unit: "drones" in "300 drones hit"
    if words and not _counted(words[-1]):
        ahead = _counted_ahead(text, m.end())
        if ahead:
            words, end = ahead
    if not words and people_of is not None:
        words, end = [people_of[0]], people_of[1]
    if not words:
        part_of = _PART_OF.match(text, pos)  # "58 of the drones"
        if part_of:
            words, end = [part_of.group("noun").lower()], part_of.end()
    each = _EACH.match(text, end)
    if each:
        end = each.end()  # absolute: matched in place, not on a slice
    return (" ".join(words) or None), actor_id, end, ("each" if each else None)


MAX_AHEAD = 6


def _counted(word: str) -> bool:
    return _plural(word) or word in COUNT_NOUNS or word in IRREGULAR_PLURALS


def _counted_ahead(text: str, pos: int) -> tuple[list[str], int] | None:
    """The counted noun a few modifiers on ("60 current and former Acme drivers", "four
    regional trade unions"), with the noun before it that makes a compound, and where it ends."""
    previous = None
    for _ in range(MAX_AHEAD):
        w = _WORD.match(text, pos)
        if not w:
            return None
        word = w.group("word")
        lower = word.lower()
        if lower in ("and", "or"):
            previous, pos = None, w.end()
            continue
        if lower in UNIT_STOPS:
            return None
        if word[0].islower() and "-" not in word and _counted(lower):
            return ([previous, lower] if previous and _noun_modifier(previous) else [lower]), w.end()
        previous, pos = (lower if word[0].islower() else None), w.end()
    return None


def _noun_modifier(word: str) -> bool:
    """A noun making a compound with the next ("trade unions"), not an adjective ("regional")."""
    return not (
        word in ADJECTIVES
        or "-" in word
        or word.endswith(ADJECTIVE_SUFFIXES)
        or word.endswith(("ing", "ed", "ly"))
        or _counted(word)
    )


def _names_a_noun(text: str, pos: int) -> bool:
    """A capitalised word just read is followed, within one more capitalised word, by a plural noun."""
    for _ in range(2):
        w = _WORD.match(text, pos)
        if not w:
            return False
        word = w.group("word")
        if word[0].islower():
            return _plural(word) and word not in UNIT_STOPS
        pos = w.end()
    return False


def _plural(word: str) -> bool:
    """ "drones" is plural; "basis" (of "basis points"), "gas" or "bonus" are not."""
    return word.endswith("s") and not word.endswith(("ss", "is", "us", "as"))


_LETTERS = re.compile(r"[A-Za-z]+")
_CLAUSE_END = re.compile(r"[.;:!?\n]")
_PART_OF = re.compile(r"\s+of\s+(?:the|these|those|its|their)\s+(?P<noun>[a-z]+s)\b")


def _skip_space(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] == " ":
        pos += 1
    return pos


def _unit_before(text: str, start: int, clause_ends: list[int], units_seen: set[str]) -> str | None:
    """For a number standing alone ("could reach 12,000"): the counted noun earlier in its clause
    (`clause_ends`: sorted positions of the marks that end clauses)."""
    i = bisect.bisect_left(clause_ends, start)
    clause_start = clause_ends[i - 1] + 1 if i else 0
    words = [w.lower() for w in _LETTERS.findall(text, max(start - 120, clause_start), start)]
    if not words:
        return None
    verb = next((w for w in reversed(words[-4:]) if w not in _QUALIFIER_WORDS), None)
    if verb in CASUALTY_VERBS:
        return "people"  # "the sinking killed (at least) 31"
    for i in range(len(words) - 1, -1, -1):
        word = words[i]
        if word in COUNT_NOUNS or word in units_seen:
            return word
        if word in TALLY_NOUNS:
            return TALLY_NOUNS[word]  # "the death toll rose to 412"
        if i >= 2 and words[i - 1] == "of" and words[i - 2] == "number" and _counted(word):
            return word  # "the number of cases reached 9,800"
    return None


_QUALIFIER_WORDS = {w for q in QUALIFIERS for w in q.split()}


def _actor_between(mentions: list[tuple[int, int, str]], start: int, end: int) -> str | None:
    """The first actor mentioned inside [start, end) (mentions sorted by start)."""
    i = bisect.bisect_left(mentions, (start,))
    while i < len(mentions) and mentions[i][0] < end:
        if mentions[i][1] <= end:
            return mentions[i][2]
        i += 1
    return None


def _currency_code(symbol: str) -> str:
    symbol = symbol.strip().upper()
    return {"$": "USD", "US$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY"}.get(symbol, symbol)
