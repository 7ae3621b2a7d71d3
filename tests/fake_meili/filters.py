"""Filters as Meilisearch parses and evaluates them."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from typing import Any

from tests.fake_meili.api import ApiError
from tests.fake_meili.text import normalize_facet


class FilterParser:
    """The filter grammar of filter-parser/src/lib.rs (or / and / not / ( ) / IN [..] / = != >
    >= < <= / EXISTS / NOT EXISTS / TO), enough of it for any filter the adapter builds."""

    def __init__(self, text: str) -> None:
        self.text, self.i = text, 0

    def error(self, message: str) -> ApiError:
        return ApiError(400, "invalid_search_filter", f"{message} at `{self.text[self.i : self.i + 20]}`.")

    def ws(self) -> None:
        while self.i < len(self.text) and self.text[self.i].isspace():
            self.i += 1

    def keyword(self, word: str) -> bool:
        self.ws()
        end = self.i + len(word)
        if self.text[self.i : end] == word and (end == len(self.text) or not self.text[end].isalnum()):
            self.i = end
            return True
        return False

    def value(self) -> str:
        """src: filter-parser/src/value.rs: a word, or a quoted string in which only the quote
        itself is unescaped (quoted_by/unescape): a backslash before any other character, or
        a doubled backslash, stays as written."""
        self.ws()
        if self.i < len(self.text) and self.text[self.i] in "'\"":
            quote, start = self.text[self.i], self.i + 1
            i, escaped = start, False
            while i < len(self.text) and self.text[i] != quote:
                if self.text[i] == "\\":
                    if i + 1 >= len(self.text):
                        raise self.error("malformed value")
                    escaped |= self.text[i + 1] == quote
                    i += 2
                else:
                    i += 1
            if i >= len(self.text):
                raise self.error("expected a closing quote")
            raw = self.text[start:i]
            self.i = i + 1
            return raw.replace("\\" + quote, quote) if escaped else raw
        match = re.compile(r"[\w.\-]+").match(self.text, self.i)
        if not match:
            raise self.error("was expecting a value")
        self.i = match.end()
        return match.group()

    def parse(self) -> Any:
        expression = self.or_()
        self.ws()
        if self.i != len(self.text):
            raise self.error("found unexpected characters")
        return expression

    def or_(self) -> Any:
        parts = [self.and_()]
        while self.keyword("OR"):
            parts.append(self.and_())
        return ("or", parts) if len(parts) > 1 else parts[0]

    def and_(self) -> Any:
        parts = [self.not_()]
        while self.keyword("AND"):
            parts.append(self.not_())
        return ("and", parts) if len(parts) > 1 else parts[0]

    def not_(self) -> Any:
        if self.keyword("NOT"):
            return ("not", self.not_())
        self.ws()
        if self.text.startswith("(", self.i):
            self.i += 1
            inner = self.or_()
            self.ws()
            if not self.text.startswith(")", self.i):
                raise self.error("expected a closing parenthesis")
            self.i += 1
            return inner
        attribute = self.value()
        if self.keyword("IN"):
            return ("in", attribute, tuple(self.list_()))
        if self.keyword("EXISTS"):
            return ("exists", attribute)
        if self.keyword("NOT"):
            if self.keyword("EXISTS"):
                return ("not", ("exists", attribute))
            if self.keyword("IN"):
                return ("not", ("in", attribute, tuple(self.list_())))
            raise self.error("expected EXISTS or IN after NOT")
        self.ws()
        match = re.compile(r"!=|>=|<=|=|>|<").match(self.text, self.i)
        if match:
            self.i = match.end()
            return (match.group(), attribute, self.value())
        low = attribute
        attribute = self.value()
        if self.keyword("TO"):
            return ("to", low, attribute, self.value())
        raise self.error("was expecting an operation `=`, `!=`, `>=`, `>`, `<=`, `<`, `IN`, `EXISTS`, `TO`")

    def list_(self) -> list[str]:
        self.ws()
        if not self.text.startswith("[", self.i):
            raise self.error("expected `[` after IN")
        self.i += 1
        values: list[str] = []
        while True:
            self.ws()
            if self.text.startswith("]", self.i):
                self.i += 1
                return values  # src: filter-parser/src/lib.rs value_list may be empty
            values.append(self.value())
            self.ws()
            if self.text.startswith(",", self.i):
                self.i += 1


def filter_expression(raw: Any) -> Any:
    """docs: /search_parameters#filter: a string, or an array ANDing its elements, each a
    string or an array ORing its strings."""
    if raw is None:
        return None
    if isinstance(raw, str):
        return FilterParser(raw).parse() if raw.strip() else None
    parts = []
    for element in raw:
        if isinstance(element, list):
            parts.append(("or", [FilterParser(e).parse() for e in element]))
        else:
            parts.append(FilterParser(element).parse())
    return ("and", parts)


def attributes_of(expression: Any) -> Iterator[str]:
    if expression is None:
        return
    op = expression[0]
    if op in ("and", "or"):
        for part in expression[1]:
            yield from attributes_of(part)
    elif op == "not":
        yield from attributes_of(expression[1])
    else:
        yield expression[1]


def as_number(value: str) -> float | None:
    try:
        return float(value)
    except ValueError:
        return None


def values_of(document: dict[str, Any], attribute: str) -> list[Any]:
    value = document.get(attribute)
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def holds(document: dict[str, Any], expression: Any) -> bool:
    if expression is None:
        return True
    op = expression[0]
    if op == "and":
        return all(holds(document, part) for part in expression[1])
    if op == "or":
        return any(holds(document, part) for part in expression[1])
    if op == "not":
        return not holds(document, expression[1])
    if op == "exists":
        return expression[1] in document
    values = values_of(document, expression[1])
    if op == "in":
        strings = _normalized(expression[2])
        return any(
            normalize_facet(v) in strings if isinstance(v, str) else any(equals(v, w) for w in expression[2])
            for v in values
        )
    if op == "=":
        return any(equals(v, expression[2]) for v in values)
    if op == "!=":
        return not any(equals(v, expression[2]) for v in values)
    numbers = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
    if op == "to":
        low, high = as_number(expression[2]), as_number(expression[3])
        return low is not None and high is not None and any(low <= v <= high for v in numbers)
    bound = as_number(expression[2])
    if bound is None:  # src: filter.rs: `>` and friends compare numbers only
        return False
    compare = {">": float.__gt__, ">=": float.__ge__, "<": float.__lt__, "<=": float.__le__}[op]
    return any(compare(float(v), bound) for v in numbers)


@functools.lru_cache(maxsize=64)
def _normalized(literals: tuple[str, ...]) -> frozenset[str]:
    return frozenset(normalize_facet(literal) for literal in literals)


def equals(value: Any, literal: str) -> bool:
    """src: filter.rs evaluate_operator, Condition::Equal: strings compared normalized
    (normalize_facet); numbers compared as numbers."""
    if isinstance(value, bool):
        return literal == str(value).lower()
    if isinstance(value, int | float):
        number = as_number(literal)
        return number is not None and float(value) == number
    return isinstance(value, str) and normalize_facet(value) == normalize_facet(literal)
