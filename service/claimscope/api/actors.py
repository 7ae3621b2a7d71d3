"""/v1/actors: canonical actors with how often the corpus names them."""

from __future__ import annotations

from typing import Annotated

from litestar import get
from litestar.params import Parameter

from claimscope.api.deps import Core
from claimscope.core import Claimscope
from claimscope.errors import NotFound
from claimscope.models import ActorPage, ActorSummary
from claimscope.store.sqlite import ActorRow

ActorType = Annotated[str | None, Parameter(pattern="^(person|country|organization|group|place)$")]


def summaries(core: Claimscope, rows: list[ActorRow]) -> list[ActorSummary]:
    ids = [r.id for r in rows]
    counts = {collection: core.index.count_by_actor(collection, ids) for collection in ("claims", "quotes")}
    return [
        ActorSummary(
            id=r.id,
            name=r.name,
            type=r.type,
            aliases=r.aliases,
            document_count=r.document_count,
            mention_count=r.mention_count,
            claim_count=counts["claims"].get(r.id, 0),
            quote_count=counts["quotes"].get(r.id, 0),
        )
        for r in rows
    ]


@get("/v1/actors", operation_id="listActors", sync_to_thread=True, tags=["actors"])
def list_actors(
    core: Core,
    type: ActorType = None,
    prefix: Annotated[
        str | None, Parameter(min_length=1, max_length=100, description="Name or alias prefix")
    ] = None,
    limit: Annotated[int, Parameter(ge=1, le=500)] = 50,
    offset: Annotated[int, Parameter(ge=0, le=100_000)] = 0,
) -> ActorPage:
    """Canonical actors, most documents first, with document, claim and quote counts."""
    rows, total = core.store.list_actors(type=type, prefix=prefix, limit=limit, offset=offset)
    return ActorPage(items=summaries(core, rows), total=total)


@get("/v1/actors/{actor_id:str}", operation_id="getActor", sync_to_thread=True, tags=["actors"])
def get_actor(core: Core, actor_id: Annotated[str, Parameter(max_length=200)]) -> ActorSummary:
    """One actor: its aliases and counts."""
    row = core.store.get_actor(actor_id)
    if row is None:
        raise NotFound(f"no actor with id {actor_id!r}", id=actor_id)
    return summaries(core, [row])[0]


ROUTES = [list_actors, get_actor]
