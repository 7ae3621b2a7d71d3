"""One index of the stand-in: its settings, documents and searches."""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from typing import Any

from tests.fake_meili.api import DEFAULT_SETTINGS, NOW, SEARCH_KEYS, ApiError
from tests.fake_meili.filters import attributes_of, filter_expression, holds, values_of
from tests.fake_meili.text import Query, Token, normalize_facet, parse_query, tokenize


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
