"""From a search as a user asks it (a collection's SearchFilters) to the query an index runs.

Checks what the types cannot (facet, sort and status names, date order, the limit) and turns
actor names and aliases into canonical ids. Used by ``Claimscope.search``, so the API and the
CLI accept and refuse the same searches.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from claimscope.errors import InvalidQuery
from claimscope.models import CLAIM_STATUSES, FACETS, SORTS, SearchFilters, SearchQuery

Resolver = Callable[[list[str]], list[str]]
MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")


def build_query(filters: SearchFilters, resolve: Resolver, *, max_limit: int) -> SearchQuery:
    collection = filters.collection
    allowed = FACETS[collection]
    unknown = [f for f in filters.facets if f not in allowed]
    if unknown:
        raise InvalidQuery(
            f"unknown facet {', '.join(unknown)} for {collection}; allowed: {', '.join(allowed)}",
            field="facets",
            allowed=list(allowed),
        )
    if filters.sort is not None and filters.sort not in SORTS:
        raise InvalidQuery(
            f"unknown sort {filters.sort!r}; allowed: {', '.join(SORTS)}", field="sort", allowed=list(SORTS)
        )
    status: list[str] = getattr(filters, "status", [])
    bad_status = [s for s in status if s not in CLAIM_STATUSES]
    if bad_status:
        raise InvalidQuery(
            f"unknown status {', '.join(bad_status)}; allowed: {', '.join(CLAIM_STATUSES)}",
            field="status",
            allowed=list(CLAIM_STATUSES),
        )
    month: list[str] = getattr(filters, "month", [])
    bad_month = [m for m in month if not MONTH.fullmatch(m)]
    if bad_month:
        raise InvalidQuery(f"`month` {', '.join(bad_month)} is not YYYY-MM", field="month")
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        raise InvalidQuery("`date_from` is after `date_to`", field="date_from")
    if filters.limit > max_limit:
        raise InvalidQuery(
            f"`limit` is {filters.limit}; the maximum is {max_limit} (page with `offset`)",
            field="limit",
            maximum=max_limit,
        )
    if filters.limit < 0 or filters.offset < 0:
        field = "limit" if filters.limit < 0 else "offset"
        raise InvalidQuery(f"`{field}` is negative", field=field)
    q = filters.q.strip() if filters.q else None
    return SearchQuery(
        collection=collection,
        q=q or None,
        actor=resolve(filters.actor),
        status=status,
        claimant=_with_resolved(resolve, getattr(filters, "claimant", [])),
        speaker=_with_resolved(resolve, getattr(filters, "speaker", [])),
        source=filters.source,
        month=month,
        date_from=filters.date_from.isoformat() if filters.date_from else None,
        date_to=filters.date_to.isoformat() if filters.date_to else None,
        facets=list(dict.fromkeys(filters.facets)),
        sort=filters.sort,
        limit=filters.limit,
        offset=filters.offset,
    )


def _with_resolved(resolve: Resolver, values: list[str]) -> list[str]:
    """Claimants and speakers are indexed as actor ids or, for unknown sources, as written."""
    return list(dict.fromkeys([*values, *resolve(values)])) if values else []
