"""What route handlers receive by dependency injection (provided in app.create_app)."""

from __future__ import annotations

from litestar.di import NamedDependency

from claimscope.core import Claimscope
from claimscope.ingest.fetch import Fetcher
from claimscope.metrics import Metrics

Core = NamedDependency[Claimscope]
MetricsDep = NamedDependency[Metrics]
FetcherDep = NamedDependency[Fetcher]
