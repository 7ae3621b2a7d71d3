"""The surface of the Meilisearch v1.11.3 API the stand-in speaks: defaults, what it refuses,
its errors."""

from __future__ import annotations

import re
from typing import Any

VERSION = "1.11.3"
NOW = "2024-10-23T10:00:00.000000Z"

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
