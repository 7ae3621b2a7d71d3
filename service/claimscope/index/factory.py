"""The search index the settings ask for."""

from __future__ import annotations

from pathlib import Path

from claimscope.index.base import SearchIndex
from claimscope.settings import Settings


def build_index(settings: Settings) -> SearchIndex:
    if settings.index_backend == "meilisearch":
        from claimscope.index.meili import MeiliIndex

        return MeiliIndex.from_settings(settings)
    if settings.index_backend == "tantivy":
        from claimscope.index.tantivy_index import TantivyIndex

        return TantivyIndex(Path(settings.data_dir) / "tantivy")
    from claimscope.index.sqlite_fts import SQLiteFTSIndex

    return SQLiteFTSIndex()
