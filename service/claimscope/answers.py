"""Recent search answers, reused while the index has not changed.

An index that can tell when it changed (``SearchIndex.generation()``) lets the same search be
answered again without running it: the facet counts of a landing page, the next reader of the
same query. Each answer is kept under the generation it was computed at, so an answer is never
served once the index has moved on; the oldest answers make room for new ones.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict

import msgspec

from claimscope.models import SearchFilters, SearchResult

_encode = msgspec.json.Encoder().encode


class Answers:
    def __init__(self, size: int = 1024) -> None:
        self.size = size
        self._kept: OrderedDict[tuple[int, str, bytes], SearchResult] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def key(generation: int, filters: SearchFilters) -> tuple[int, str, bytes]:
        return generation, filters.collection, _encode(filters)

    def get(self, generation: int | None, filters: SearchFilters) -> SearchResult | None:
        """The answer kept for these filters at this generation, its `took_ms` this lookup's."""
        if generation is None:
            return None
        started = time.perf_counter()
        key = self.key(generation, filters)
        with self._lock:
            answer = self._kept.get(key)
            if answer is None:
                return None
            self._kept.move_to_end(key)
        return msgspec.structs.replace(answer, took_ms=round((time.perf_counter() - started) * 1000, 3))

    def put(self, generation: int | None, filters: SearchFilters, answer: SearchResult) -> None:
        if generation is None:
            return
        with self._lock:
            self._kept[self.key(generation, filters)] = answer
            while len(self._kept) > self.size:
                self._kept.popitem(last=False)
