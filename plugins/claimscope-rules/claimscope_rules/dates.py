"""rules.dates: absolute dates, months, ranges, weekdays and relative expressions.

Absolute dates are parsed with python-dateutil. Weekdays and relative expressions ("last
week", "earlier this month") resolve against the document's ``published_at``; without it they
keep ``value`` null, and a date without a year keeps what it states ("--10-23", "--10").
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import re

from claimscope.models import DateMention, DocumentIn, Extraction, Granularity, parse_published_at
from dateutil import parser as date_parser
from dateutil.relativedelta import relativedelta, weekday

_MONTHS = [m for m in calendar.month_name if m]
_MONTH_ABBRS = [m for m in calendar.month_abbr if m] + ["Sept"]
MONTH = rf"(?:{'|'.join(_MONTHS)}|(?:{'|'.join(_MONTH_ABBRS)})\.?)"
WEEKDAY = rf"(?:{'|'.join(calendar.day_name)})"
DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
YEAR = r"(?:1[89]\d\d|20\d\d)"
_COUNTS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "a": 1, "last": 1, "past": 1, "yesterday": 1,
}  # fmt: skip
# A date without a year lying this far after publication is taken from the year before:
# news reports "Oct. 23" in January about the October just past.
FUTURE_DAYS = 92
# "early October": looked for just before a month rather than as an optional lead of the month
# pattern, which the engine would try at every character.
_PART_BEFORE = re.compile(r"\b(?:early|mid|late|the end of|the beginning of|the start of)[\s-]$")


_PATTERNS = [
    ("iso", re.compile(r"\b(?P<iso>(?:19|20)\d\d-[01]\d-[0-3]\d)\b")),
    # October 27-28 / Oct. 27 to 28, 2024 / Nov. 1 to Nov. 3, 2024 / between March 3 and April 5
    (
        "range",
        re.compile(
            rf"\b(?P<month>{MONTH})\s+(?P<day>{DAY})\s*(?P<joiner>-|–|to|through|until|and)\s*"
            rf"(?:(?P<month2>{MONTH})\s+)?(?P<day2>{DAY})(?![\d,]\d)(?:,?\s+(?P<year>{YEAR}))?\b"
        ),
    ),
    # February 24, 2022 / Oct. 23 / 23 October 2024
    ("day", re.compile(rf"\b(?P<month>{MONTH})\s+(?P<day>{DAY})(?![\d,]\d)(?:,?\s+(?P<year>{YEAR}))?\b")),
    ("day", re.compile(rf"\b(?P<day>{DAY})\s+(?P<month>{MONTH})(?:,?\s+(?P<year>{YEAR}))?\b")),
    # early October / June 2024 / in May
    ("month", re.compile(rf"\b(?P<month>{MONTH})(?:\s+(?P<year>{YEAR}))?\b")),
    ("weekday", re.compile(rf"\b(?P<weekday>{WEEKDAY})\b")),
    (
        "relative",
        re.compile(
            r"\b(?P<relative>yesterday|today|tomorrow|(?:earlier|later) this (?:week|month|year)|"
            r"(?:last|this|next|past) (?:week|month|year)|"
            rf"(?:a|\d{{1,2}}|{'|'.join(w for w, n in _COUNTS.items() if w.isalpha() and n > 1)}|one) "
            r"(?:days?|weeks?|months?|years?) ago)\b",
            re.IGNORECASE,
        ),
    ),
    (
        "year",
        re.compile(
            rf"\b(?:[Ii]n|[Ss]ince|by|until|before|after|from|during|of|early|late|mid)[\s-]+(?P<year>{YEAR})\b"
        ),
    ),
]
# "may" and "march" are verbs too: a bare month needs a capital and, alone, a preposition or a year.
_BARE_MONTH_CUE = re.compile(
    r"\b(?:in|since|by|until|before|after|from|during|last|this|next|of|early|late|mid|end of)\s+$", re.I
)


class DatesExtractor:
    name = "rules.dates"
    version = "0.1.0"
    produces = ("dates",)
    requires = ()

    def extract(self, document: DocumentIn, found) -> Extraction:
        text = document.text
        published = parse_published_at(document.published_at)
        dates: list[DateMention] = []
        taken = bytearray(len(text))  # 1 where a date already sits
        for kind, pattern in _PATTERNS:
            for m in pattern.finditer(text):
                start = m.start()
                part = _PART_BEFORE.search(text, max(0, start - 20), start) if kind == "month" else None
                if part:
                    start = part.start()
                if kind == "year":
                    start = m.start("year")
                end = m.end()
                if taken.find(1, start, end) != -1:
                    continue
                mention = _resolve(kind, m, text[start:end], start, end, published, text, bool(part))
                if mention is not None:
                    dates.append(mention)
                    taken[start:end] = b"\x01" * (end - start)
        dates.sort(key=lambda d: d.start)
        return Extraction(dates=dates)


def _resolve(kind, m, span, start, end, published, text, has_part=False) -> DateMention | None:
    groups = m.groupdict()
    if kind == "iso":
        try:
            value = dt.date.fromisoformat(groups["iso"]).isoformat()
        except ValueError:
            return None
        return DateMention(text=span, start=start, end=end, value=value, granularity="day")
    if kind in ("range", "day", "month"):
        month = _month_number(groups["month"])
        if month is None:
            return None
        year = int(groups["year"]) if groups.get("year") else None
        if kind == "month" and not year and not has_part and not _is_bare_month(groups["month"], text, start):
            return None
        if (
            groups.get("month2")
            and groups["joiner"] == "and"
            and not re.search(r"between\s+$", text[max(0, start - 9) : start], re.I)
        ):
            return None  # "on March 3 and March 5" are two dates, "between March 3 and March 5" one range
        if year is None and published is not None:
            year = _year_of(month, groups.get("day"), published)
        if kind == "month":
            value = f"{year:04d}-{month:02d}" if year else f"--{month:02d}"
            return DateMention(text=span, start=start, end=end, value=value, granularity="month")
        first = _day_value(year, month, groups["day"])
        if first is None:
            return None
        if kind == "day":
            return DateMention(text=span, start=start, end=end, value=first, granularity="day")
        month2 = _month_number(groups["month2"]) if groups["month2"] else month
        year2 = year
        if year and month2 is not None and month2 < month and groups.get("year"):
            year = year - 1  # "Dec. 28 to Jan. 3, 2025" began the year before
            first = _day_value(year, month, groups["day"])
        last = _day_value(year2, month2, groups["day2"]) if month2 else None
        if last is None:
            return None
        return DateMention(text=span, start=start, end=end, value=first, value_end=last, granularity="range")
    if kind == "weekday":
        day: str | None = None
        if published is not None:
            target = weekday(list(calendar.day_name).index(groups["weekday"]))
            ahead = re.search(r"\b(?:next|coming)\s+$", text[max(0, start - 8) : start], re.I)
            day = (
                published + relativedelta(days=1 if ahead else 0, weekday=target(1 if ahead else -1))
            ).isoformat()
        return DateMention(
            text=span, start=start, end=end, value=day, granularity="day" if day else "weekday"
        )
    if kind == "relative":
        relative, granularity = _relative(groups["relative"].lower(), published)
        return DateMention(text=span, start=start, end=end, value=relative, granularity=granularity)
    return DateMention(text=span, start=start, end=end, value=groups["year"], granularity="year")


def _year_of(month: int, day: str | None, published: dt.date) -> int:
    """The year of a date stated without one: the publication's, or the year before when that
    would put the date well after publication."""
    number = _leading_number(day) if day else 1
    try:
        candidate = dt.date(published.year, month, min(number, 28))
    except ValueError:
        return published.year
    return published.year - 1 if (candidate - published).days > FUTURE_DAYS else published.year


def _is_bare_month(word: str, text: str, start: int) -> bool:
    """A month with no day or year is a date only when capitalised after a preposition ("in May")."""
    return word[0].isupper() and bool(_BARE_MONTH_CUE.search(text[max(0, start - 12) : start]))


@functools.lru_cache(maxsize=64)
def _month_number(word: str) -> int | None:
    try:
        return date_parser.parse(word.rstrip(".") + " 1 2000").month
    except (ValueError, OverflowError):
        return None


def _leading_number(day: str) -> int:
    """The day of "3rd" or "03"; the patterns only capture days that start with digits."""
    digits = re.match(r"\d+", day)
    return int(digits.group()) if digits else 0


def _day_value(year: int | None, month: int, day: str) -> str | None:
    """ISO day, or --MM-DD without a year; None when the day does not exist."""
    number = _leading_number(day)
    try:
        parsed = dt.date(year or 2000, month, number)  # 2000 is a leap year: "February 29" stands
    except ValueError:
        return None
    return parsed.isoformat() if year else f"--{month:02d}-{number:02d}"


def _relative(expression: str, published: dt.date | None) -> tuple[str | None, Granularity]:
    """The value of "last week", "earlier this month"... against the publication date."""
    unit: Granularity = next((u for u in ("week", "month", "year") if u in expression), "day")
    if published is None:
        return None, "relative"
    granularity = unit
    shift = 0
    if expression.startswith(("last", "past", "yesterday")) or expression.endswith("ago"):
        first = expression.split()[0]
        shift = -(int(first) if first.isdigit() else _COUNTS.get(first, 1))
    elif expression.startswith(("next", "tomorrow")):
        shift = 1
    if unit == "day":
        return (published + relativedelta(days=shift)).isoformat(), granularity
    if unit == "week":
        monday = published + relativedelta(weeks=shift, weekday=weekday(0)(-1))
        return monday.isoformat(), granularity
    if unit == "month":
        day = published + relativedelta(months=shift)
        return f"{day.year:04d}-{day.month:02d}", granularity
    return f"{published.year + shift:04d}", granularity
