"""Pages for people: search with facets, a marked-up document, an actor.

Server-rendered with Jinja2 (autoescaped); every page works with plain links and forms, and
htmx (served from /ui/static) only swaps the results in place when JavaScript is on. The
handlers call the same service methods as the JSON API.
"""

from __future__ import annotations

import datetime as dt
import logging
from functools import partial
from http import HTTPStatus
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from anyio import to_thread
from litestar import Request, Router, get
from litestar.exceptions import HTTPException
from litestar.params import Parameter
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Template
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig

from claimscope.api.actors import summaries
from claimscope.api.auth import KeyChecker
from claimscope.api.deps import Core
from claimscope.api.problems import PROBLEM_KINDS
from claimscope.core import Claimscope
from claimscope.errors import ClaimscopeError, NotFound
from claimscope.models import (
    CLAIM_STATUSES,
    FACETS,
    FILTERS,
    ClaimFilters,
    Collection,
    Document,
    QuoteFilters,
    SearchFilters,
    SearchResult,
    StoryFilters,
)
from claimscope.ui.login import LoginRequired, login_page, login_routes, page_guard
from claimscope.ui.marks import Span, mark

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
PAGE_SIZE = 20
STORY_TIMELINE = 500  # claims shown on a story's page
LATEST: dict[str, Any] = {"sort": "-date", "limit": 10}
TABS: tuple[Collection, ...] = ("claims", "stories", "quotes", "documents")
TAB_FILTERS: dict[str, type[SearchFilters]] = {**FILTERS, "stories": StoryFilters}
# what a page URL can filter on; every value a list (month holds at most one)
PAGE_FILTERS = ("actor", "status", "claimant", "speaker", "source", "month")
FACET_LABELS = {
    "actor": "Actor",
    "status": "Status",
    "claimant": "Claimant",
    "speaker": "Speaker",
    "source": "Source",
    "month": "Month",
}
Values = Annotated[list[str] | None, Parameter(max_items=50)]
log = logging.getLogger("claimscope.ui")


def month_range(month: str | None) -> tuple[dt.date | None, dt.date | None]:
    """The first and last day of a YYYY-MM month, or (None, None) for anything else."""
    try:
        first = dt.date.fromisoformat(f"{month}-01") if month else None
    except ValueError:
        return None, None
    if first is None:
        return None, None
    following = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return first, following - dt.timedelta(days=1)


def actor_names(core: Claimscope, ids: list[str]) -> dict[str, str]:
    names = {}
    for actor_id in ids:
        row = core.store.get_actor(actor_id)
        if row is not None:
            names[actor_id] = row.name
    return names


def run_search(core: Claimscope, tab: Collection, params: dict[str, Any]) -> SearchResult:
    """The page of hits, with each facet counted as if its own ticks were off.

    Values within a facet are OR: counting a facet under its own filter would hide the values
    one could still add, so a facet with ticks gets its counts from a query without them.
    """
    result = core.search(_filters(tab, params, list(FACETS[tab]), limit=PAGE_SIZE))
    for facet in FACETS[tab]:
        if params[facet]:
            others = {**params, facet: []}
            counted = core.search(_filters(tab, others, [facet], limit=0))
            result.facets[facet] = counted.facets[facet]
    return result


def _filters(tab: Collection, params: dict[str, Any], facets: list[str], limit: int) -> SearchFilters:
    """The service's filters for this tab: the page's parameters that apply to it, and the month
    (a filter of its own on stories, a date range elsewhere)."""
    kind = TAB_FILTERS[tab]
    given = {name: params[name] for name in kind.filter_names() if params.get(name)}
    if "month" not in kind.__struct_fields__:
        given["date_from"], given["date_to"] = month_range(params["month"][0] if params["month"] else None)
    return kind(**given, facets=facets, sort=params["sort"], limit=limit, offset=params["offset"])


@get("/", name="ui-search", include_in_schema=False)
async def search_page(
    core: Core,
    request: Request,
    q: Annotated[str | None, Parameter(max_length=500)] = None,
    tab: Annotated[str, Parameter(pattern="^(claims|stories|quotes|documents)$")] = "claims",
    actor: Values = None,
    status: Values = None,
    claimant: Values = None,
    speaker: Values = None,
    source: Values = None,
    month: Annotated[str | None, Parameter(pattern=r"^\d{4}-\d{2}$")] = None,
    sort: Annotated[str | None, Parameter(pattern="^(relevance|date|-date)$")] = None,
    page: Annotated[int, Parameter(ge=1, le=1000)] = 1,
) -> Template:
    """The search page: a query box, tabs per collection, facets that filter, results."""
    collection: Collection = tab  # type: ignore[assignment]  # the pattern above allows only these
    params: dict[str, Any] = {
        "q": q, "actor": actor or [], "status": status or [], "claimant": claimant or [],
        "speaker": speaker or [], "source": source or [], "month": [month] if month else [], "sort": sort,
        "offset": (page - 1) * PAGE_SIZE,
    }  # fmt: skip
    result = await to_thread.run_sync(run_search, core, collection, params)
    facet_ids = list(result.facets.get("actor", {})) + list(params["actor"])
    names = await to_thread.run_sync(actor_names, core, facet_ids)
    return Template(
        template_name="search.html",
        context={
            "tab": collection,
            "tabs": TABS,
            "params": params,
            "result": result,
            "facets": _facet_panels(collection, result, params, names),
            "names": names,
            "page": page,
            "pages": _pages(result.total, page),
            "link": lambda **changes: _link(params, collection, **changes),
            "statuses": CLAIM_STATUSES,
        },
    )


def _facet_panels(
    tab: Collection, result: SearchResult, params: dict[str, Any], names: dict[str, str]
) -> list[dict[str, Any]]:
    """Each facet of the tab with its values, counts and ticks; ticked values stay listed."""
    panels = []
    for facet in FACETS[tab]:
        counts = dict(result.facets.get(facet, {}))
        chosen = params[facet]
        for value in chosen:
            counts.setdefault(value, 0)
        ordered = sorted(counts.items(), reverse=True) if facet == "month" else counts.items()
        values = [
            {"value": value, "count": count, "label": names.get(value, value), "checked": value in chosen}
            for value, count in ordered
        ]
        panels.append(
            {"name": facet, "label": FACET_LABELS[facet], "values": values, "single": facet == "month"}
        )
    return panels


def _pages(total: int, page: int) -> dict[str, int | None]:
    last = max(1, -(-min(total, 1000 * PAGE_SIZE) // PAGE_SIZE))
    return {
        "previous": page - 1 if page > 1 else None,
        "next": page + 1 if page < last else None,
        "last": last,
    }


def _link(params: dict[str, Any], current_tab: str, **changes: Any) -> str:
    """The URL of this search with some parameters changed; another tab keeps only the words."""
    state = {"q": params["q"], "tab": current_tab, "sort": params["sort"]}
    if "tab" not in changes:
        state |= {name: params[name] for name in PAGE_FILTERS}
    state |= changes
    pairs = [
        (key, item)
        for key, value in state.items()
        for item in (value if isinstance(value, list) else [value])
        if item not in (None, "")
    ]
    return "/?" + urlencode(pairs)


@get("/ui/documents/{document_id:str}", name="ui-document", include_in_schema=False)
async def document_page(core: Core, document_id: Annotated[str, Parameter(max_length=200)]) -> Template:
    """A document with its actors, figures, dates, quotes and claims marked in the text."""
    document = await to_thread.run_sync(core.store.get_document, document_id)
    if document is None:
        raise NotFound(f"no document with id {document_id!r}", id=document_id)
    return Template(
        template_name="document.html",
        context={
            "document": document,
            "marked": mark(document.text, spans_of(document)),
            "statuses": CLAIM_STATUSES,
        },
    )


def spans_of(document: Document) -> list[Span]:
    """The marks of a document: claims outermost, then quotes, then actors, figures and dates."""
    extraction = document.extraction
    spans = [
        Span(c.start, c.end, "span", (("class", f"m-claim status-{c.status}"), ("data-status", c.status),
             ("title", f"{c.status}" + (f" ({c.cue})" if c.cue else "") + (f", claimed by {c.claimant_name}" if c.claimant_name else ""))),
             layer=0, anchor=_anchor(c.id))
        for c in extraction.claims
    ]  # fmt: skip
    spans += [
        Span(q.start, q.end, "span", (("class", "m-quote"), ("tabindex", "0"),
             ("data-speaker", q.speaker_name or "speaker unknown"),
             ("title", f"said by {q.speaker_name}" if q.speaker_name else "speaker unknown")),
             layer=1, anchor=_anchor(q.id))
        for q in extraction.quotes
    ]  # fmt: skip
    spans += [
        Span(m.start, m.end, "a", (("class", f"m-actor type-{a.type}"), ("href", f"/ui/actors/{a.id}"), ("title", a.name)))
        for a in extraction.actors
        for m in a.mentions
    ]  # fmt: skip
    spans += [
        Span(f.start, f.end, "span", (("class", "m-figure"), ("title", _figure_title(f.value, f.value_max, f.unit, f.qualifier))))
        for f in extraction.figures
    ]  # fmt: skip
    spans += [
        Span(d.start, d.end, "time", (("class", "m-date"), *((("datetime", d.value),) if d.value and not d.value.startswith("--") else ()), ("title", d.value or "date not resolved")))
        for d in extraction.dates
    ]  # fmt: skip
    return spans


def _anchor(item_id: str) -> str | None:
    """`doc:c3` -> `c3`: the fragment a search hit links to."""
    return item_id.rpartition(":")[2] or None


def _figure_title(value: float, value_max: float | None, unit: str | None, qualifier: str | None) -> str:
    number = f"{value:g}" + (f"–{value_max:g}" if value_max is not None else "")
    return " ".join(x for x in (qualifier, number, unit) if x)


@get("/ui/actors/{actor_id:str}", name="ui-actor", include_in_schema=False)
async def actor_page(core: Core, actor_id: Annotated[str, Parameter(max_length=200)]) -> Template:
    """An actor: aliases, counts, and the latest claims about it and made by it."""

    def load() -> dict[str, Any]:
        row = core.store.get_actor(actor_id)
        if row is None:
            raise NotFound(f"no actor with id {actor_id!r}", id=actor_id)
        return {
            "actor": summaries(core, [row])[0],
            "about": core.search(ClaimFilters(actor=[actor_id], **LATEST)),
            "made": core.search(ClaimFilters(claimant=[actor_id], **LATEST)),
            "quotes": core.search(QuoteFilters(speaker=[actor_id], **LATEST)),
        }

    return Template(template_name="actor.html", context=await to_thread.run_sync(load))


@get("/ui/stories/{story_id:str}", name="ui-story", include_in_schema=False)
async def story_page(core: Core, story_id: Annotated[str, Parameter(max_length=100)]) -> Template:
    """A story: its current status and why, the figures its sources disagree on, its timeline."""
    story = await to_thread.run_sync(partial(core.story, story_id, limit=STORY_TIMELINE))
    names = await to_thread.run_sync(actor_names, core, story.actors)
    return Template(template_name="story.html", context={"story": story, "names": names})


def error_page(request: Request, exc: Exception) -> Template:
    """Errors on a page are pages too (the JSON API answers problem+json instead)."""
    if isinstance(exc, LoginRequired):
        return login_page(request, exc.detail)
    if isinstance(exc, ClaimscopeError):
        status, title, detail = exc.status, exc.title, exc.detail
    elif isinstance(exc, HTTPException):
        status, title = exc.status_code, HTTPStatus(exc.status_code).phrase
        problems = [f"{e.get('key')}: {e.get('message')}" for e in exc.extra or [] if isinstance(e, dict)]
        detail = "; ".join(problems) or exc.detail
    else:
        log.exception("unhandled error on %s", request.url.path)
        status, title, detail = 500, "Something went wrong", "The error has been logged."
    return Template(
        template_name="error.html", context={"title": title, "detail": detail}, status_code=status
    )


def ui_router(keys: KeyChecker) -> Router:
    """The pages, the login form and the static files, as one router the app mounts.

    The app's key guard leaves these paths to this router: pages take a key from the header or
    the login cookie (see login.py); static files and the login form are open.
    """
    static = create_static_files_router(
        path="/ui/static", directories=[HERE / "static"], include_in_schema=False, name="ui-static"
    )
    pages = Router(
        path="/",
        route_handlers=[search_page, document_page, actor_page, story_page],
        guards=[page_guard(keys)],
    )
    return Router(
        path="/",
        route_handlers=[pages, *login_routes(keys), static],
        include_in_schema=False,
        # every kind the app maps to problem+json, so that these more specific entries win here
        exception_handlers={kind: error_page for kind in PROBLEM_KINDS},
    )


def template_config() -> TemplateConfig:
    return TemplateConfig(directory=TEMPLATES, engine=JinjaTemplateEngine)
