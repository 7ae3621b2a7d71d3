"""The Litestar application. `create_app(settings)` builds everything; nothing happens at import."""

from __future__ import annotations

import logging

from litestar import Litestar
from litestar.config.cors import CORSConfig
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme

from claimscope import __version__
from claimscope.api import actors, claims, documents, extractors, health, search, stories
from claimscope.api.auth import KeyChecker, read_only_notice
from claimscope.api.problems import document_problems, problem_details
from claimscope.core import Claimscope
from claimscope.ingest.fetch import Fetcher
from claimscope.metrics import Metrics, request_middleware
from claimscope.settings import Settings, load_settings
from claimscope.ui.pages import template_config, ui_router


def openapi_config() -> OpenAPIConfig:
    return OpenAPIConfig(
        title="claimscope",
        version=__version__,
        description="Turn news articles into searchable evidence: actors, figures, dates, quotes and claims.",
        path="/schema",
        components=Components(
            security_schemes={"bearer": SecurityScheme(type="http", scheme="bearer", description="API key")}
        ),
    )


def create_app(settings: Settings | None = None, *, core: Claimscope | None = None) -> Litestar:
    """The app for `settings` (from the environment when omitted); `core` lets tests bring their own."""
    settings = settings or (core.settings if core else load_settings())
    owns_core = core is None  # a core passed in belongs to the caller, who closes it
    if core is None:
        core = Claimscope.open(settings)
        try:
            core.pipeline.start()  # the extraction workers, before any request; a plugin that cannot start ends here
        except BaseException:
            core.close()
            raise
    metrics = Metrics(lag=lambda: float(core.index.lag()), switched_off=core.pipeline.circuits.open_names)
    core.run_listeners.append(metrics.record_run)
    keys = KeyChecker(settings)
    if notice := read_only_notice(settings):
        logging.getLogger("claimscope.auth").warning(notice)
    fetcher = Fetcher(settings)

    app = Litestar(
        route_handlers=[
            *documents.ROUTES,
            *search.ROUTES,
            *actors.ROUTES,
            *claims.ROUTES,
            *stories.ROUTES,
            *extractors.ROUTES,
            *health.ROUTES,
            ui_router(keys),
        ],
        dependencies={
            "core": Provide(lambda: core, use_cache=True, sync_to_thread=False),
            "metrics": Provide(lambda: metrics, use_cache=True, sync_to_thread=False),
            "fetcher": Provide(lambda: fetcher, use_cache=True, sync_to_thread=False),
        },
        guards=[keys.guard] if settings.auth_enabled else [],
        plugins=[problem_details()],
        cors_config=CORSConfig(allow_origins=settings.cors_origins) if settings.cors_origins else None,
        request_max_body_size=settings.max_body_bytes,
        openapi_config=openapi_config(),
        template_config=template_config(),
        # the server drains the index outbox (CLI commands only append to it)
        on_startup=[lambda: core.start_index_worker()],
        on_shutdown=[fetcher.aclose, core.close if owns_core else lambda: core.stop_index_worker()],
        logging_config=None,  # logging is the process's business (see logs.configure_logging)
        debug=False,
    )
    # Litestar runs app middleware only once a route has matched, so 404s of unknown paths and
    # 405s would pass without a request id, access log line or count: the request middleware
    # wraps the whole ASGI handler instead (as Litestar itself does with CORS).
    app.asgi_handler = request_middleware(metrics)(app.asgi_handler)
    document_problems(app.openapi_schema)
    return app
