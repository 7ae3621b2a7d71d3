"""Text as Meilisearch reads it: charabia's words for Latin scripts, and a query's terms."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any


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
