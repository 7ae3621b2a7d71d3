"""A stand-in for a Meilisearch v1.11.3 server, for tests that cannot reach a real one.

It speaks the HTTP API the adapter uses (health, version, indexes, settings, documents,
tasks, search, multi-search) and imitates the behaviours the adapter depends on, each with
a note saying where Meilisearch does the same ("src:" is a path in github.com/meilisearch/
meilisearch at tag v1.11.3, "docs:" a page of meilisearch.com/docs/reference). What it
does not imitate (word splitting for non-Latin scripts, concatenated and split words,
synonyms, stop words, geo, vectors, the exact bucket sort of relevance) is left out on
purpose: the contract suite runs unchanged against a real server when MEILI_URL is set, and
tests/contract/test_meili_server.py asks the stand-in and a real server the same questions.

api.py: defaults and refusals; text.py: words and query terms; filters.py: the filter
grammar and its comparisons; index.py: search, ranking, facets, cropping; server.py: routes,
the task queue and the hooks below.

Test hooks: `down` (every connection is dropped, as when the server is not running; `refused`
counts them), `fail_tasks` (every task ends "failed"), `task_seconds` (how long each task
stays "processing"), `hold_first` (answer a request late), `requests` (every request seen).
"""

from tests.fake_meili.api import VERSION
from tests.fake_meili.filters import FilterParser
from tests.fake_meili.server import FakeMeili

__all__ = ["VERSION", "FakeMeili", "FilterParser"]
