"""/v1/extractors: what the pipeline runs, in order."""

from __future__ import annotations

from litestar import get

from claimscope.api.deps import Core
from claimscope.models import ExtractorInfo


@get("/v1/extractors", operation_id="listExtractors", tags=["extractors"])
async def list_extractors(core: Core) -> list[ExtractorInfo]:
    """Installed extractors with version and plugin: enabled ones in run order, then disabled ones."""
    return core.extractor_infos()


ROUTES = [list_extractors]
