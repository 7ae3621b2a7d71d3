"""/v1/stories: claims of many documents that state one thing, with their timeline and status."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, Response, get
from litestar.params import Parameter

from claimscope.api.deps import Core
from claimscope.api.search import Actors, Facets, Limit, Offset, Q, Sort, Values, _facets, _search
from claimscope.models import FACETS, SearchResult, StoryFilters
from claimscope.stories.claimreview import claim_review
from claimscope.stories.models import Story

StoryId = Annotated[str, Parameter(max_length=100, description="A story id, as in `GET /v1/stories`")]
ALL_CLAIMS = 100_000  # the ClaimReview names every source


@get(
    "/v1/stories",
    tags=["stories"],
    operation_id="listStories",
    description=(
        "Stories (claims of several documents that state the same thing) with filters (OR within one, AND "
        f"across them) and facet counts. Facets: {', '.join(FACETS['stories'])}. A story matches `status` by "
        "its current status, and `actor`, `claimant`, `source` and `month` by any of its claims. Newest "
        "first, or by relevance with `q`."
    ),
)
async def list_stories(
    core: Core,
    request: Request,
    q: Q = None,
    actor: Actors = None,
    status: Values = None,
    claimant: Values = None,
    source: Values = None,
    month: Annotated[list[str] | None, Parameter(max_items=50, description="YYYY-MM (repeatable)")] = None,
    facets: Facets = None,
    sort: Sort = None,
    limit: Limit = 20,
    offset: Offset = 0,
) -> SearchResult:
    filters = StoryFilters(
        q=q, actor=actor or [], status=status or [], claimant=claimant or [], source=source or [],
        month=month or [], facets=_facets(facets), sort=sort, limit=limit, offset=offset,
    )  # fmt: skip
    return await _search(core, request, filters)


@get("/v1/stories/{story_id:str}", sync_to_thread=True, tags=["stories"], operation_id="getStory")
def get_story(
    core: Core,
    story_id: StoryId,
    offset: Annotated[int, Parameter(ge=0, description="First timeline entry to return")] = 0,
    limit: Annotated[int, Parameter(ge=1, le=1000, description="Timeline entries to return")] = 100,
) -> Story:
    """A story: its claims in date order (claim date, else the article's `published_at`, else
    when it was ingested), its current status with the rule that set it, and the figures its
    claims disagree on."""
    return core.story(story_id, offset=offset, limit=limit)


@get(
    "/v1/stories/{story_id:str}/claimreview",
    sync_to_thread=True,
    tags=["stories"],
    operation_id="getStoryClaimReview",
    media_type="application/ld+json",
)
def get_story_claim_review(core: Core, story_id: StoryId, request: Request) -> Response[dict[str, Any]]:
    """The story as schema.org ClaimReview JSON-LD: the claim, who made it, where it appeared,
    and its current status as the rating."""
    story = core.story(story_id, limit=ALL_CLAIMS)

    def actor_type(actor_id: str) -> str | None:
        row = core.store.get_actor(actor_id)
        return row.type if row else None

    url = str(request.url.with_replacements(query=""))
    return Response(claim_review(story, url=url, actor_type=actor_type), media_type="application/ld+json")


ROUTES = [list_stories, get_story, get_story_claim_review]
