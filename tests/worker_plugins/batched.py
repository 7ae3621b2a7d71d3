"""A plugin whose extractor has ``extract_many``: it marks the word BATCHME with a figure whose
value is how many documents the call that found it received."""

from __future__ import annotations

from claimscope import hookimpl
from claimscope.models import Extraction, Figure


def _mark(document, count):
    start = document.text.find("BATCHME")
    if start < 0:
        return Extraction()
    return Extraction(
        figures=[Figure(text="BATCHME", value=count, start=start, end=start + 7, unit="documents")]
    )


class Batched:
    name = "fixture.batched"
    version = "1.0"
    produces = ("figures",)
    requires = ()

    def extract(self, document, found):
        return _mark(document, 1)

    def extract_many(self, documents, founds):
        return [_mark(document, len(documents)) for document in documents]


@hookimpl
def register_extractors(register):
    register(Batched())
