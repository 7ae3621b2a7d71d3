"""/v1/search/documents|claims|quotes: parse the query string, call ``Claimscope.search``, return.

One handler per collection, each declaring only the filters its collection has; a query
parameter that belongs to no filter of the collection (`status` on documents) is a 400 that
names the parameters that do apply, never a search that silently ignores it.
"""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Annotated

from anyio import to_thread
from litestar import Request, get
from litestar.params import Parameter

from claimscope.api.deps import Core
from claimscope.errors import InvalidQuery
from claimscope.models import (
    FACETS,
    ClaimFilters,
    Collection,
    DocumentFilters,
    QuoteFilters,
    SearchFilters,
    SearchResult,
)

Q = Annotated[
    str | None, Parameter(max_length=500, description="Words to find; the last matches as a prefix")
]
Values = Annotated[list[str] | None, Parameter(max_items=50)]
Actors = Annotated[
    list[str] | None, Parameter(max_items=50, description="Actor id, name or alias (repeatable: any of them)")
]
DateFrom = Annotated[dt.date | None, Parameter(description="Earliest date (inclusive)")]
DateTo = Annotated[dt.date | None, Parameter(description="Latest date (inclusive)")]
Facets = Annotated[str | None, Parameter(max_length=200, description="Comma-separated facet names")]
Sort = Annotated[str | None, Parameter(description="relevance, date or -date")]
Limit = Annotated[int, Parameter(ge=0, le=1000, description="Hits per page (at most the service's maximum)")]
Offset = Annotated[int, Parameter(ge=0, le=100_000)]


def _route(collection: Collection):
    return get(
        f"/v1/search/{collection}",
        operation_id=f"search{collection.title()}",
        name=f"search-{collection}",
        tags=["search"],
        summary=f"Search {collection}",
        description=(
            f"Full-text search over {collection} with filters (OR within one, AND across them) and facet "
            f"counts. Facets here: {', '.join(FACETS[collection])}."
        ),
    )


async def _search(core: Core, request: Request, filters: SearchFilters) -> SearchResult:
    unknown = [name for name in request.query_params if name not in type(filters).__struct_fields__]
    if unknown:
        applicable = type(filters).filter_names()
        raise InvalidQuery(
            f"{', '.join(f'`{n}`' for n in unknown)} does not apply to {filters.collection}; "
            f"its filters are {', '.join(applicable)} (and facets, sort, limit, offset)",
            field=unknown[0],
            allowed=list(applicable),
        )
    kept = core.kept_answer(filters)  # the same search at the same index generation: no thread needed
    return kept if kept is not None else await to_thread.run_sync(partial(core.search, filters))


def _facets(value: str | None) -> list[str]:
    return [f.strip() for f in (value or "").split(",") if f.strip()]


@_route("documents")
async def search_documents(
    core: Core,
    request: Request,
    q: Q = None,
    actor: Actors = None,
    source: Values = None,
    date_from: DateFrom = None,
    date_to: DateTo = None,
    facets: Facets = None,
    sort: Sort = None,
    limit: Limit = 20,
    offset: Offset = 0,
) -> SearchResult:
    filters = DocumentFilters(
        q=q, actor=actor or [], source=source or [], date_from=date_from, date_to=date_to,
        facets=_facets(facets), sort=sort, limit=limit, offset=offset,
    )  # fmt: skip
    return await _search(core, request, filters)


@_route("claims")
async def search_claims(
    core: Core,
    request: Request,
    q: Q = None,
    actor: Actors = None,
    status: Values = None,
    claimant: Values = None,
    source: Values = None,
    date_from: DateFrom = None,
    date_to: DateTo = None,
    facets: Facets = None,
    sort: Sort = None,
    limit: Limit = 20,
    offset: Offset = 0,
) -> SearchResult:
    filters = ClaimFilters(
        q=q, actor=actor or [], status=status or [], claimant=claimant or [], source=source or [],
        date_from=date_from, date_to=date_to, facets=_facets(facets), sort=sort, limit=limit, offset=offset,
    )  # fmt: skip
    return await _search(core, request, filters)


@_route("quotes")
async def search_quotes(
    core: Core,
    request: Request,
    q: Q = None,
    actor: Actors = None,
    speaker: Values = None,
    source: Values = None,
    date_from: DateFrom = None,
    date_to: DateTo = None,
    facets: Facets = None,
    sort: Sort = None,
    limit: Limit = 20,
    offset: Offset = 0,
) -> SearchResult:
    filters = QuoteFilters(
        q=q, actor=actor or [], speaker=speaker or [], source=source or [], date_from=date_from,
        date_to=date_to, facets=_facets(facets), sort=sort, limit=limit, offset=offset,
    )  # fmt: skip
    return await _search(core, request, filters)


ROUTES = [search_documents, search_claims, search_quotes]
