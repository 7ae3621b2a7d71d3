"""A stand-in for a Meilisearch v1.11.3 server, for tests that cannot reach a real one.

It speaks the HTTP API the adapter uses (health, version, indexes, settings, documents,
tasks, search, multi-search) and imitates the behaviours the adapter depends on, each with
a note saying where Meilisearch does the same ("src:" is a path in github.com/meilisearch/
meilisearch at tag v1.11.3, "docs:" a page of meilisearch.com/docs/reference). What it
does not imitate (word splitting for non-Latin scripts, synonyms, stop words, geo, vectors,
the exact bucket sort of relevance and the exact cropping window) is left out on purpose:
the contract suite runs unchanged against a real server when MEILI_URL is set.

Test hooks: `down` (every connection is dropped, as when the server is not running; `refused`
counts them), `fail_tasks` (every task ends "failed"), `task_seconds` (how long each task
stays "processing"), `hold_first` (answer a request late), `requests` (every request seen).
"""

from __future__ import annotations

import itertools
import json
import re
import threading
import time
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

VERSION = "1.11.3"
NOW = "2024-10-23T10:00:00.000000Z"
Matcher = Callable[[str, str, Any], bool]  # (method, path, JSON body) -> bool

# src: milli/src/criterion.rs default_criteria()
DEFAULT_RANKING_RULES = ["words", "typo", "proximity", "attribute", "sort", "exactness"]
DEFAULT_SETTINGS: dict[str, Any] = {  # docs: /settings ("Settings object", default values)
    "displayedAttributes": ["*"],
    "searchableAttributes": ["*"],
    "filterableAttributes": [],
    "sortableAttributes": [],
    "rankingRules": DEFAULT_RANKING_RULES,
    "stopWords": [],
    "nonSeparatorTokens": [],
    "separatorTokens": [],
    "dictionary": [],
    "synonyms": {},
    "distinctAttribute": None,
    "proximityPrecision": "byWord",
    # src: milli/src/index.rs DEFAULT_MIN_WORD_LEN_ONE_TYPO = 5, _TWO_TYPOS = 9
    "typoTolerance": {
        "enabled": True,
        "minWordSizeForTypos": {"oneTypo": 5, "twoTypos": 9},
        "disableOnWords": [],
        "disableOnAttributes": [],
    },
    # src: milli/src/search/facet/facet_distribution.rs DEFAULT_VALUES_PER_FACET = 100, and
    # milli/src/order_by_map.rs: "*" sorts facet values alphabetically unless told otherwise
    "faceting": {"maxValuesPerFacet": 100, "sortFacetValuesBy": {"*": "alpha"}},
    "pagination": {"maxTotalHits": 1000},
    "embedders": {},
    "searchCutoffMs": None,
    "localizedAttributes": None,
}
# src: meilisearch-types/src/settings.rs `Settings` (deny_unknown_fields) and its nested
# FacetingSettings, TypoSettings, PaginationSettings: an unknown key is refused
NESTED_SETTINGS = {
    "typoTolerance": ({"enabled", "minWordSizeForTypos", "disableOnWords", "disableOnAttributes"},
                      "invalid_settings_typo_tolerance"),
    "faceting": ({"maxValuesPerFacet", "sortFacetValuesBy"}, "invalid_settings_faceting"),
    "pagination": ({"maxTotalHits"}, "invalid_settings_pagination"),
}  # fmt: skip
# src: meilisearch/src/search/mod.rs `SearchQuery` and `SearchQueryWithIndex` (deny_unknown_fields)
SEARCH_KEYS = {
    "q", "vector", "hybrid", "offset", "limit", "page", "hitsPerPage", "attributesToRetrieve",
    "retrieveVectors", "attributesToCrop", "cropLength", "attributesToHighlight",
    "showMatchesPosition", "showRankingScore", "showRankingScoreDetails", "filter", "sort",
    "distinct", "facets", "highlightPreTag", "highlightPostTag", "cropMarker", "matchingStrategy",
    "attributesToSearchOn", "rankingScoreThreshold", "locales",
}  # fmt: skip
RANKING_RULE = re.compile(r"(words|typo|proximity|attribute|sort|exactness|[\w.]+:(asc|desc))")


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, kind: str = "invalid_request") -> None:
        super().__init__(message)
        self.status, self.body = status, {"message": message, "code": code, "type": kind, "link": ""}


def not_found(uid: str) -> ApiError:
    return ApiError(404, "index_not_found", f"Index `{uid}` not found.")


# -- text: what charabia does for Latin scripts ----------------------------------------------


def normalize(text: str) -> str:
    """Lowercase, diacritics removed. docs: /learn/indexing/tokenization (charabia normalizes
    Latin text: lowercase, no nonspacing marks), which is why "arger" finds "Ärger"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn").lower()


def normalize_facet(value: str) -> str:
    """src: milli/src/lib.rs normalize_facet: NFKD of the trimmed string, lowercased. Filters
    and facet counts compare strings this way: "Doc-A" and "doc-a" are one value."""
    return unicodedata.normalize("NFKD", value.strip()).lower()


@dataclass
class Token:
    text: str  # as written
    start: int
    end: int
    word: bool
    position: int = 0

    @property
    def norm(self) -> str:
        return normalize(self.text)


def tokenize(text: str) -> list[Token]:
    """Words are runs of letters and digits; every other character is a separator token of
    its own (charabia gives "-" and '"' their own tokens: src parse_query.rs tests for them).
    Positions count words, a hard separator (.!?;…) adds 7, as in parse_query.rs."""
    tokens, position = [], -1
    for match in re.finditer(r"\w+|\W", text):
        piece = match.group()
        is_word = piece[0].isalnum() or piece[0] == "_"
        if is_word:
            position += 1
        elif piece in ".!?;…":
            position += 7
        tokens.append(Token(piece, match.start(), match.end(), is_word, position))
    return tokens


def edit_distance(a: str, b: str, limit: int) -> int:
    """Levenshtein with a swap of two neighbours as one edit (src: milli/src/search/mod.rs
    LevBuilder::new(n, true): transpositions on)."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    rows = [list(range(len(b) + 1))]
    for i, ca in enumerate(a, 1):
        row = [i]
        for j, cb in enumerate(b, 1):
            cost = min(rows[-1][j] + 1, row[j - 1] + 1, rows[-1][j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cost = min(cost, rows[-2][j - 2] + 1)
            row.append(cost)
        rows.append(row)
    return rows[-1][-1]


# -- the query ----------------------------------------------------------------------------------


@dataclass
class Term:
    words: list[str]  # one word, or the words of a phrase
    prefix: bool = False
    typos: int = 0  # how many typos it may take

    def match(self, word: str) -> tuple[bool, int, bool]:
        """(matches, typos used, exact) for one normalized word of a document."""
        (wanted,) = self.words
        if word == wanted:
            return True, 0, True
        if self.prefix and word.startswith(wanted):
            return True, 0, False
        if self.typos:
            distance = edit_distance(wanted, word, self.typos)
            if distance <= self.typos and word[:1] != wanted[:1]:
                distance += 1  # src: query_term/compute_derivations.rs: a first-letter typo counts twice
            if distance <= self.typos:
                return True, distance, False
        return False, 0, False


@dataclass
class Query:
    terms: list[Term] = field(default_factory=list)
    negative_words: list[str] = field(default_factory=list)
    negative_phrases: list[list[str]] = field(default_factory=list)


def parse_query(q: str, typo_settings: dict[str, Any]) -> Query:
    """src: milli/src/search/new/query_term/parse_query.rs located_query_terms_from_tokens:
    - a word followed by any token (even a space or a full stop) is not a prefix; only the
      very last token of the query is;
    - "…" makes a phrase (an unclosed quote runs to the end);
    - "-" after whitespace (or first) makes the next word or phrase negative (v1.8+);
    - at most 10 terms count (milli/src/search/mod.rs: words_limit: 10)."""
    sizes = typo_settings["minWordSizeForTypos"]

    def typos(word: str) -> int:
        if not typo_settings["enabled"] or word in typo_settings["disableOnWords"]:
            return 0
        return 2 if len(word) >= sizes["twoTypos"] else 1 if len(word) >= sizes["oneTypo"] else 0

    query = Query()
    tokens = tokenize(q)
    phrase: list[str] | None = None
    negative_phrase = negative_next = False
    whitespace_before = True

    def close(words: list[str]) -> None:
        if words:
            if negative_phrase:
                query.negative_phrases.append(words)
            else:
                query.terms.append(Term(words))

    for n, token in enumerate(tokens):
        if len(query.terms) >= 10:
            break
        if token.word:
            word = token.norm
            if phrase is not None:
                phrase.append(word)
            elif negative_next:
                query.negative_words.append(word)
                negative_next = False
            else:
                query.terms.append(Term([word], prefix=n == len(tokens) - 1, typos=typos(word)))
        else:
            if token.text == '"':
                if phrase is not None:
                    close(phrase)
                    phrase, negative_phrase = None, False
                else:
                    phrase, negative_phrase = [], negative_next
            negative_next = phrase is None and token.text == "-" and whitespace_before
        whitespace_before = token.text[-1:].isspace()
    if phrase is not None:
        close(phrase)
    return query


# -- filters ------------------------------------------------------------------------------------


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
            return ("in", attribute, self.list_())
        if self.keyword("EXISTS"):
            return ("exists", attribute)
        if self.keyword("NOT"):
            if self.keyword("EXISTS"):
                return ("not", ("exists", attribute))
            if self.keyword("IN"):
                return ("not", ("in", attribute, self.list_()))
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
        return any(equals(v, wanted) for v in values for wanted in expression[2])
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


def equals(value: Any, literal: str) -> bool:
    """src: filter.rs evaluate_operator, Condition::Equal: strings compared normalized
    (normalize_facet); numbers compared as numbers."""
    if isinstance(value, bool):
        return literal == str(value).lower()
    if isinstance(value, int | float):
        number = as_number(literal)
        return number is not None and float(value) == number
    return isinstance(value, str) and normalize_facet(value) == normalize_facet(literal)


# -- an index -----------------------------------------------------------------------------------


@dataclass
class FakeIndex:
    uid: str
    primary_key: str | None = None
    settings: dict[str, Any] = field(default_factory=lambda: json.loads(json.dumps(DEFAULT_SETTINGS)))
    documents: dict[str, dict[str, Any]] = field(default_factory=dict)  # in internal-id order

    def describe(self) -> dict[str, Any]:
        return {"uid": self.uid, "primaryKey": self.primary_key, "createdAt": NOW, "updatedAt": NOW}

    def searchable(self, document: dict[str, Any]) -> list[str]:
        wanted = self.settings["searchableAttributes"]
        names = [k for k in document if isinstance(document[k], str)] if wanted == ["*"] else wanted
        return [n for n in names if isinstance(document.get(n), str)]

    def filterable(self) -> set[str]:
        return set(self.settings["filterableAttributes"])

    def search(self, params: dict[str, Any]) -> dict[str, Any]:
        unknown = sorted(set(params) - SEARCH_KEYS)
        if unknown:
            raise ApiError(
                400, "bad_request", f"Unknown field `{unknown[0]}`: expected one of {sorted(SEARCH_KEYS)}"
            )
        expression = filter_expression(params.get("filter"))
        not_filterable = sorted(set(attributes_of(expression)) - self.filterable())
        if not_filterable:  # src: milli/src/search/facet/filter.rs: Attribute `x` is not filterable
            raise ApiError(
                400, "invalid_search_filter", f"Attribute `{not_filterable[0]}` is not filterable."
            )
        facets = params.get("facets") or []
        if set(facets) - self.filterable():  # src: facet_distribution.rs InvalidFacetsDistribution
            raise ApiError(400, "invalid_search_facets", f"Invalid facet distribution: {facets}")
        sort = [s.rsplit(":", 1) for s in params.get("sort") or []]
        if any(a not in self.settings["sortableAttributes"] for a, _ in sort):
            raise ApiError(400, "invalid_search_sort", f"Attribute in {params['sort']} is not sortable.")
        strategy = params.get(
            "matchingStrategy", "last"
        )  # src: search/mod.rs MatchingStrategy::default = Last
        query = parse_query(params.get("q") or "", self.settings["typoTolerance"])

        scored = []
        for rank, (key, document) in enumerate(self.documents.items()):
            if not holds(document, expression):
                continue
            found = self._match(document, query, strategy)
            if found is not None:
                scored.append(
                    (self._order(document, found, sort, rank, bool(query.terms)), key, document, found)
                )
        scored.sort(key=lambda entry: entry[0])
        candidates = [document for _, _, document, _ in scored]
        in_id_order = [d for _, _, d in sorted((entry[0][-1], entry[1], entry[2]) for entry in scored)]

        answer: dict[str, Any] = {"query": params.get("q") or "", "processingTimeMs": 0}
        limit = params.get("limit", 20)
        offset = params.get("offset", 0)
        if "hitsPerPage" in params or "page" in params:  # docs: /search_parameters#page: exhaustive totals
            per_page, page = params.get("hitsPerPage", 20), params.get("page", 1)
            limit, offset = per_page, (page - 1) * per_page
            answer.update(hitsPerPage=per_page, page=page, totalHits=len(candidates),
                          totalPages=-(-len(candidates) // per_page) if per_page else 0)  # fmt: skip
        else:
            answer.update(limit=limit, offset=offset, estimatedTotalHits=len(candidates))
        answer["hits"] = [
            self._hit(document, found, query, params)
            for _, _, document, found in scored[offset : offset + limit]
        ]
        if facets:
            answer["facetDistribution"] = {name: self._facet(name, in_id_order) for name in facets}
        return answer

    def _match(self, document: dict[str, Any], query: Query, strategy: str) -> dict[str, Any] | None:
        """Which terms the document matches (None: it is not a hit)."""
        words = [
            (n, t)
            for n, name in enumerate(self.searchable(document))
            for t in tokenize(document[name])
            if t.word
        ]
        norms = {t.norm for _, t in words}
        if any(w in norms for w in query.negative_words):
            return None
        if any(self._phrase_at(words, phrase) for phrase in query.negative_phrases):
            return None
        found: dict[int, tuple[int, int, int, bool]] = {}  # term -> (attribute, position, typos, exact)
        for index, term in enumerate(query.terms):
            if len(term.words) > 1:
                at = self._phrase_at(words, term.words)
                if at is not None:
                    found[index] = (*at, 0, True)
                continue
            best = None
            for attribute, token in words:
                ok, typos, exact = term.match(token.norm)
                if ok and (best is None or (typos, not exact, attribute) < (best[2], not best[3], best[0])):
                    best = (attribute, token.position, typos, exact)
            if best is not None:
                found[index] = best
        if not query.terms:
            return {}
        if strategy == "all":
            return found if len(found) == len(query.terms) else None
        # "last": words are dropped from the end until some document matches; a document
        # counts the leading terms it has (docs: /search_parameters#matching-strategy)
        leading = next((n for n in range(len(query.terms)) if n not in found), len(query.terms))
        return {n: found[n] for n in range(leading)} if leading else None

    @staticmethod
    def _phrase_at(words: list[tuple[int, Token]], phrase: list[str]) -> tuple[int, int] | None:
        for i in range(len(words) - len(phrase) + 1):
            window = words[i : i + len(phrase)]
            if (
                all(t.norm == w for (_, t), w in zip(window, phrase, strict=True))
                and len({a for a, _ in window}) == 1
            ):
                return window[0][0], window[0][1].position
        return None

    def _order(self, document, found, sort, rank, has_terms) -> tuple:
        """The ranking rules in their configured order (docs: /relevancy/ranking_rules); the
        relevance rules do nothing for a placeholder search (no words in q)."""
        key: list[Any] = []
        for rule in self.settings["rankingRules"]:
            if rule == "sort":
                for attribute, direction in sort:
                    value = document.get(attribute)
                    missing = not isinstance(value, int | float)  # without the field: last, either way
                    key.append((missing, 0 if missing else (value if direction == "asc" else -value)))
            elif not has_terms:
                continue
            elif rule == "words":
                key.append(-len(found))
            elif rule == "typo":
                key.append(sum(t for _, _, t, _ in found.values()))
            elif rule == "proximity":
                positions = [found[n][1] for n in sorted(found)]
                key.append(sum(min(abs(b - a), 8) for a, b in itertools.pairwise(positions)))
            elif rule == "attribute":
                key.append(min((a for a, _, _, _ in found.values()), default=0))
            elif rule == "exactness":
                key.append(-sum(1 for *_, exact in found.values() if exact))
        key.append(rank)  # then the internal document id
        return tuple(key)

    def _facet(self, name: str, candidates: list[dict[str, Any]]) -> dict[str, int]:
        """src: facet_distribution.rs: values grouped by normalize_facet, shown as first seen;
        `alpha` keeps the first maxValuesPerFacet in normalized order, `count` the most
        frequent (count_iterate_over_facet_distribution pops a max-heap of (count, …, value):
        among equal counts the greater value comes first)."""
        counts: dict[str, list[Any]] = {}
        for document in candidates:
            for value in values_of(document, name):
                shown = value if isinstance(value, str) else json.dumps(value)
                entry = counts.setdefault(normalize_facet(shown), [shown, 0])
                entry[1] += 1
        faceting = self.settings["faceting"]
        order = faceting["sortFacetValuesBy"].get(name, faceting["sortFacetValuesBy"].get("*", "alpha"))
        if order == "count":
            ranked = sorted(counts.items(), key=lambda kv: (kv[1][1], kv[0]), reverse=True)
        else:
            ranked = sorted(counts.items())
        return {shown: count for _, (shown, count) in ranked[: faceting["maxValuesPerFacet"]]}

    def _hit(self, document, found, query: Query, params: dict[str, Any]) -> dict[str, Any]:
        retrieve = params.get("attributesToRetrieve") or ["*"]
        hit = {k: v for k, v in document.items() if retrieve == ["*"] or k in retrieve}
        crop, highlight = params.get("attributesToCrop") or [], params.get("attributesToHighlight") or []
        if crop or highlight:
            # src: meilisearch/src/search/mod.rs compute_formatted_options: _formatted holds the
            # cropped/highlighted attributes and the retrieved ones
            formatted = dict(hit)
            for name in set(crop) | set(highlight):
                if isinstance(document.get(name), str):
                    formatted[name] = self._format(
                        document[name], query, params, name in crop, name in highlight
                    )
            hit["_formatted"] = formatted
        return hit

    @staticmethod
    def _format(text: str, query: Query, params: dict[str, Any], crop: bool, highlight: bool) -> str:
        """src: milli/src/search/new/matches/mod.rs format(): crop to cropLength words around
        the best interval of matches (crop marker where text was cut), highlight each match;
        a prefix match highlights only the matched prefix ("<em>Zelensk</em>yy")."""
        tokens = tokenize(text)
        matches: list[tuple[int, int, int, int]] = []  # (word index, token index, term, length)
        words = 0
        for n, token in enumerate(tokens):
            if not token.word:
                continue
            for term_id, term in enumerate(query.terms):
                if len(term.words) == 1:
                    ok, _, exact = term.match(token.norm)
                    if ok:
                        prefix_only = term.prefix and not exact and token.norm.startswith(term.words[0])
                        matches.append(
                            (words, n, term_id, len(term.words[0]) if prefix_only else len(token.text))
                        )
                        break
                elif token.norm in term.words:
                    matches.append((words, n, term_id, len(token.text)))
                    break
            words += 1
        start, end = 0, len(text)
        size = params.get("cropLength", 10)  # src: meilisearch/src/search/mod.rs DEFAULT_CROP_LENGTH = 10
        if crop and size > 0:
            start, end = crop_bounds(text, tokens, best_interval(matches, size), size)
        marker = params.get("cropMarker", "…")
        pre, post = params.get("highlightPreTag", "<em>"), params.get("highlightPostTag", "</em>")
        out, at = [marker] if start > 0 else [], start
        for _, n, _, length in matches if highlight else []:
            token = tokens[n]
            if start <= token.start and token.end <= end:
                out += [text[at : token.start], pre, text[token.start : token.start + length], post]
                at = token.start + length
        out.append(text[at:end])
        if end < len(text):
            out.append(marker)
        return "".join(out)


def best_interval(matches: list[tuple[int, int, int, int]], size: int) -> list[tuple[int, int, int, int]]:
    """src: matches/mod.rs find_best_match_interval: the run of matches within `size` words
    with the most distinct terms, then the closest together, then the most in query order."""

    def score(run: list[tuple[int, int, int, int]]) -> tuple[int, int, int]:
        pairs = list(itertools.pairwise(run))
        return (
            len({term for _, _, term, _ in run}),
            -sum(min(b[0] - a[0], 7) for a, b in pairs),
            sum(1 for a, b in pairs if b[2] > a[2]),
        )

    if len(matches) < 2:
        return matches
    best, best_score, first = matches[:1], score(matches[:1]), 0
    for last in range(1, len(matches)):
        while matches[last][0] - matches[first][0] >= size:
            first += 1
        if score(matches[first : last + 1]) > best_score:
            best, best_score = matches[first : last + 1], score(matches[first : last + 1])
    return best


def crop_bounds(
    text: str, tokens: list[Token], matches: list[tuple[int, int, int, int]], size: int
) -> tuple[int, int]:
    """src: matches/mod.rs crop_bounds: grow the window from the matches, a word at a time
    on each side, separators taken along (a soft one before a hard one)."""
    first_word, first_token = (matches[0][0], matches[0][1]) if matches else (0, 0)
    last_word, last_token = (matches[-1][0], matches[-1][1]) if matches else (0, 0)
    remaining = size + first_word - last_word
    before, after = tokens[:first_token][::-1], tokens[last_token:]
    b = a = 0

    def kind(token: Token) -> str | None:
        return None if token.word else ("hard" if token.text in ".!?;…\n" else "soft")

    while remaining > 0:
        if b < len(before) and a < len(after):
            kb, ka = kind(before[b]), kind(after[a])
            if kb and ka:
                if kb == ka:
                    b += 1
                    a += remaining > 1
                elif kb == "hard":
                    a += 1
                else:
                    b += 1
            elif kb is None and ka:
                b, remaining = b + 1, remaining - 1
            elif kb and ka is None:
                a, remaining = a + 1, remaining - 1
            else:
                b, remaining = b + 1, remaining - 1
                if remaining > 0:
                    a, remaining = a + 1, remaining - 1
        elif b < len(before):
            remaining -= kind(before[b]) is None
            b += 1
        elif a < len(after):
            remaining -= kind(after[a]) is None
            a += 1
        else:
            break
    return (before[b].end if b < len(before) else 0), (after[a].start if a < len(after) else len(text))


# -- the server ---------------------------------------------------------------------------------


class _Hold:
    def __init__(self, matches: Matcher, until: Matcher, timeout: float) -> None:
        self.matches, self.until, self.timeout = matches, until, timeout
        self.arrived, self.released = threading.Event(), threading.Event()
        self._lock = threading.Lock()

    def wait_if_first(self, method: str, path: str, body: Any) -> None:
        with self._lock:
            if self.arrived.is_set() or not self.matches(method, path, body):
                return
            self.arrived.set()
        self.released.wait(self.timeout)


class FakeMeili:
    def __init__(self) -> None:
        self.indexes: dict[str, FakeIndex] = {}
        self.tasks: list[dict[str, Any]] = []
        self.requests: list[tuple[str, str, Any]] = []
        self.down = False
        self.refused = 0  # connections dropped while `down`
        self.fail_tasks = False
        self.task_seconds = 0.002
        self.lock = threading.RLock()
        self._work = threading.Condition(self.lock)
        self._holds: list[_Hold] = []
        self._running = True
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.worker = threading.Thread(target=self._process_tasks, daemon=True)

    def __enter__(self) -> FakeMeili:
        self.thread.start()
        self.worker.start()
        return self

    def __exit__(self, *exc: object) -> None:
        with self._work:
            self._running = False
            self._work.notify_all()
        self.server.shutdown()
        self.server.server_close()

    def hold_first(self, matches: Matcher, until: Matcher, timeout: float) -> threading.Event:
        """Answer the first request that `matches` only after one that matches `until` was
        answered (or `timeout` passed), as if its client had stalled on the way. The event
        returned is set when the held request arrives."""
        hold = _Hold(matches, until, timeout)
        self._holds.append(hold)
        return hold.arrived

    def all_documents(self) -> list[dict]:
        with self.lock:
            return [d for index in self.indexes.values() for d in index.documents.values()]

    def settle(self, seconds: float = 10) -> None:
        """Wait until no task is enqueued or processing."""
        deadline = time.monotonic() + seconds
        while any(t["status"] in ("enqueued", "processing") for t in self.tasks):
            if time.monotonic() > deadline:
                raise TimeoutError("tasks still pending")
            time.sleep(0.005)

    # -- tasks: enqueued, then processing, then succeeded or failed, one at a time in order
    #    (docs: /tasks "Task status"; src: index-scheduler processes its queue in uid order)

    def _enqueue(self, index_uid: str | None, kind: str, apply: Callable[[], dict | None]) -> dict[str, Any]:
        task = {"uid": len(self.tasks), "indexUid": index_uid, "status": "enqueued", "type": kind,
                "details": {}, "error": None, "duration": None, "enqueuedAt": NOW, "startedAt": None,
                "finishedAt": None, "_apply": apply}  # fmt: skip
        self.tasks.append(task)
        self._work.notify_all()
        return {
            "taskUid": task["uid"],
            "indexUid": index_uid,
            "status": "enqueued",
            "type": kind,
            "enqueuedAt": NOW,
        }

    def _process_tasks(self) -> None:
        while True:
            with self._work:
                while self._running and not any(t["status"] == "enqueued" for t in self.tasks):
                    self._work.wait(0.1)
                if not self._running:
                    return
                task = next(t for t in self.tasks if t["status"] == "enqueued")
                task.update(status="processing", startedAt=NOW)
            time.sleep(self.task_seconds)
            with self.lock:
                try:
                    if self.fail_tasks:
                        raise ApiError(500, "internal", "injected failure", "internal")
                    task["details"] = task["_apply"]() or {}
                    task["status"] = "succeeded"
                except ApiError as exc:
                    task.update(status="failed", error=exc.body)
                task["finishedAt"] = NOW

    def _index(self, uid: str) -> FakeIndex:
        if uid not in self.indexes:
            raise not_found(uid)
        return self.indexes[uid]

    def _create(self, uid: str, primary_key: str | None = None) -> FakeIndex:
        index = self.indexes.setdefault(uid, FakeIndex(uid))
        index.primary_key = index.primary_key or primary_key
        return index

    # -- requests ---------------------------------------------------------------------------

    def handle(self, method: str, path: str, query: dict[str, str], body: Any) -> tuple[int, Any]:
        for hold in self._holds:
            hold.wait_if_first(method, path, body)
        try:
            with self.lock:
                self.requests.append((method, path, body))
                answer = self._route(method, path, query, body)
        except ApiError as exc:
            answer = exc.status, exc.body
        for hold in self._holds:
            if hold.until(method, path, body):
                hold.released.set()
        return answer

    def _route(self, method: str, path: str, query: dict[str, str], body: Any) -> tuple[int, Any]:
        if path == "/health":
            return 200, {"status": "available"}
        if path == "/version":
            return 200, {"pkgVersion": VERSION, "commitSha": "fake", "commitDate": NOW}
        if m := re.fullmatch(r"/tasks/(\d+)", path):
            uid = int(m.group(1))
            if uid >= len(self.tasks):
                raise ApiError(404, "task_not_found", f"Task `{uid}` not found.")
            return 200, {k: v for k, v in self.tasks[uid].items() if not k.startswith("_")}
        if path == "/multi-search" and method == "POST":
            unknown = set(body) - {"queries", "federation"}
            if unknown or body.get("federation") is not None:
                raise ApiError(400, "bad_request", f"Unsupported multi-search fields: {sorted(unknown)}")
            results = []
            for q in body["queries"]:
                params = {k: v for k, v in q.items() if k != "indexUid"}
                results.append({"indexUid": q["indexUid"], **self._index(q["indexUid"]).search(params)})
            return 200, {"results": results}
        if path == "/indexes" and method == "POST":
            uid = body["uid"]
            return 202, self._enqueue(
                uid, "indexCreation", lambda: self._create_new(uid, body.get("primaryKey"))
            )
        m = re.fullmatch(r"/indexes/([^/]+)(/.*)?", path)
        if not m:
            raise ApiError(404, "not_found", "not found")
        uid, rest = m.group(1), m.group(2) or ""
        if rest == "" and method == "GET":
            return 200, self._index(uid).describe()
        if rest == "" and method == "DELETE":
            return 202, self._enqueue(uid, "indexDeletion", lambda: self._delete_index(uid))
        if rest == "/settings" and method == "GET":
            return 200, self._index(uid).settings
        if rest == "/settings" and method == "PATCH":
            self._check_settings(body)
            # settings updates create a missing index (src: index-scheduler/src/autobatcher.rs:
            # SettingsUpdate carries allow_index_creation)
            return 202, self._enqueue(uid, "settingsUpdate", lambda: self._update_settings(uid, body))
        if rest == "/search" and method == "POST":
            return 200, self._index(uid).search(body)
        if rest == "/documents" and method == "POST":
            documents = list(body)
            # docs: /documents "Add or replace documents": a missing index is created
            return 202, self._enqueue(uid, "documentAdditionOrUpdate",
                                      lambda: self._add(uid, query.get("primaryKey"), documents))  # fmt: skip
        if rest == "/documents" and method == "DELETE":
            return 202, self._enqueue(uid, "documentDeletion", lambda: self._clear(uid))
        if rest == "/documents/delete" and method == "POST":
            expression = filter_expression(body["filter"])  # a syntax error is refused at once
            return 202, self._enqueue(
                uid, "documentDeletion", lambda: self._delete_by_filter(uid, expression)
            )
        raise ApiError(404, "not_found", f"unsupported: {method} {path}")

    def _create_new(self, uid: str, primary_key: str | None) -> None:
        if uid in self.indexes:
            raise ApiError(409, "index_already_exists", f"Index `{uid}` already exists.")
        self._create(uid, primary_key)

    def _delete_index(self, uid: str) -> None:
        self._index(uid)
        del self.indexes[uid]

    @staticmethod
    def _check_settings(body: dict[str, Any]) -> None:
        for key, value in body.items():
            if key not in DEFAULT_SETTINGS:
                raise ApiError(400, "bad_request",
                               f"Unknown field `{key}`: expected one of {', '.join(DEFAULT_SETTINGS)}")  # fmt: skip
            if key in NESTED_SETTINGS and isinstance(value, dict):
                allowed, code = NESTED_SETTINGS[key]
                for inner in value:
                    if inner not in allowed:
                        raise ApiError(400, code, f"Unknown field `{inner}` inside `.{key}`")
        for rule in body.get("rankingRules") or []:
            if not RANKING_RULE.fullmatch(rule):
                raise ApiError(400, "invalid_settings_ranking_rules", f"`{rule}` ranking rule is invalid.")

    def _update_settings(self, uid: str, body: dict[str, Any]) -> None:
        settings = self._create(uid).settings
        for key, value in body.items():
            if value is None:
                settings[key] = json.loads(json.dumps(DEFAULT_SETTINGS[key]))
            elif key in NESTED_SETTINGS:
                settings[key] = {**settings[key], **value}
            else:
                settings[key] = value

    def _add(self, uid: str, primary_key: str | None, documents: list[dict[str, Any]]) -> dict:
        index = self._create(uid, primary_key)
        key = (
            index.primary_key or next((k for k in documents[0] if k.endswith("id")), None)
            if documents
            else None
        )
        if documents and (key is None or any(key not in d for d in documents)):
            raise ApiError(400, "missing_document_id", f"Document doesn't have a `{key}` attribute.")
        for document in documents:
            index.documents[str(document[key])] = document  # replaces, keeping its place
        return {"receivedDocuments": len(documents), "indexedDocuments": len(documents)}

    def _clear(self, uid: str) -> None:
        self._index(uid).documents.clear()

    def _delete_by_filter(self, uid: str, expression: Any) -> dict:
        # a deletion never creates its index (src: autobatcher.rs: only document imports and
        # settings carry allow_index_creation), and it needs filterable attributes
        index = self._index(uid)
        not_filterable = sorted(set(attributes_of(expression)) - index.filterable())
        if not_filterable:
            raise ApiError(
                400, "invalid_document_filter", f"Attribute `{not_filterable[0]}` is not filterable."
            )
        doomed = [k for k, d in index.documents.items() if holds(d, expression)]
        for k in doomed:
            del index.documents[k]
        return {"deletedDocuments": len(doomed)}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length) if length else b""
                if fake.down:  # as when nothing listens: the connection ends without an answer
                    fake.refused += 1
                    self.close_connection = True
                    return
                body = json.loads(raw) if raw else None
                url = urlparse(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                status, answer = fake.handle(self.command, url.path, query, body)
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve

            def log_message(self, *args: object) -> None:
                pass

        return Handler
