"""/v1/search/documents|claims|quotes: full-text and faceted search."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from anyio import to_thread
from litestar import get
from litestar.params import Parameter

from claimscope.api.deps import Core
from claimscope.core import Claimscope
from claimscope.errors import InvalidQuery
from claimscope.models import CLAIM_STATUSES, FACETS, SORTS, Collection, SearchQuery, SearchResult

Values = Annotated[list[str] | None, Parameter(max_items=50)]


def resolve_actors(core: Claimscope, values: list[str]) -> list[str]:
    """Actor ids for what a user typed: an id, a name, or any alias ("pyongyang" -> north-korea)."""
    ids: list[str] = []
    for value in values:
        if core.store.get_actor(value) is not None:
            ids.append(value)
            continue
        entry = core.plugins.gazetteer.lookup(value)
        found = [entry.id] if entry and entry.id else core.store.actor_ids_for(value)
        ids += found or [value]
    return list(dict.fromkeys(ids))


def build_query(
    core: Claimscope,
    collection: Collection,
    *,
    q: str | None,
    actor: list[str] | None,
    status: list[str] | None,
    claimant: list[str] | None,
    speaker: list[str] | None,
    source: list[str] | None,
    date_from: dt.date | None,
    date_to: dt.date | None,
    facets: str | None,
    sort: str | None,
    limit: int,
    offset: int,
) -> SearchQuery:
    """Check the values the schema cannot (facet, sort, status names) and resolve actor names."""
    allowed = FACETS[collection]
    wanted = [f.strip() for f in (facets or "").split(",") if f.strip()]
    unknown = [f for f in wanted if f not in allowed]
    if unknown:
        raise InvalidQuery(
            f"unknown facet {', '.join(unknown)} for {collection}; allowed: {', '.join(allowed)}",
            field="facets",
            allowed=list(allowed),
        )
    if sort is not None and sort not in SORTS:
        raise InvalidQuery(
            f"unknown sort {sort!r}; allowed: {', '.join(SORTS)}", field="sort", allowed=list(SORTS)
        )
    bad_status = [s for s in status or [] if s not in CLAIM_STATUSES]
    if bad_status:
        raise InvalidQuery(
            f"unknown status {', '.join(bad_status)}; allowed: {', '.join(CLAIM_STATUSES)}",
            field="status",
            allowed=list(CLAIM_STATUSES),
        )
    if date_from and date_to and date_from > date_to:
        raise InvalidQuery("`date_from` is after `date_to`", field="date_from")
    return SearchQuery(
        collection=collection,
        q=q.strip() if q and q.strip() else None,
        actor=resolve_actors(core, actor or []),
        status=status or [],
        claimant=_with_resolved(core, claimant),
        speaker=_with_resolved(core, speaker),
        source=source or [],
        date_from=date_from.isoformat() if date_from else None,
        date_to=date_to.isoformat() if date_to else None,
        facets=wanted,
        sort=sort,
        limit=min(limit, core.settings.max_search_limit),
        offset=offset,
    )


def _with_resolved(core: Claimscope, values: list[str] | None) -> list[str]:
    """Claimants and speakers are stored as actor ids or, for unknown sources, as written."""
    values = values or []
    return list(dict.fromkeys([*values, *resolve_actors(core, values)]))


def _handler(collection: Collection):
    @get(
        f"/v1/search/{collection}",
        name=f"search-{collection}",
        tags=["search"],
        summary=f"Search {collection}",
        description=(
            f"Full-text search over {collection} with filters (OR within one, AND across them) and facet "
            f"counts. Facets here: {', '.join(FACETS[collection])}."
        ),
    )
    async def search(
        core: Core,
        q: Annotated[
            str | None, Parameter(max_length=500, description="Words to find; the last matches as a prefix")
        ] = None,
        actor: Values = None,
        status: Values = None,
        claimant: Values = None,
        speaker: Values = None,
        source: Values = None,
        date_from: Annotated[dt.date | None, Parameter(description="Earliest date (inclusive)")] = None,
        date_to: Annotated[dt.date | None, Parameter(description="Latest date (inclusive)")] = None,
        facets: Annotated[
            str | None, Parameter(max_length=200, description="Comma-separated facet names")
        ] = None,
        sort: Annotated[str | None, Parameter(description="relevance, date or -date")] = None,
        limit: Annotated[int, Parameter(ge=0, le=1000)] = 20,
        offset: Annotated[int, Parameter(ge=0, le=100_000)] = 0,
    ) -> SearchResult:
        query = build_query(
            core, collection, q=q, actor=actor, status=status, claimant=claimant, speaker=speaker, source=source,
            date_from=date_from, date_to=date_to, facets=facets, sort=sort, limit=limit, offset=offset,
        )  # fmt: skip
        return await to_thread.run_sync(core.index.search, query)

    return search


ROUTES = [_handler(collection) for collection in FACETS]
