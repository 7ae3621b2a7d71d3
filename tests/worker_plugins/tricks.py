"""A plugin that misbehaves on cue, for the isolation tests. It is a module (not an object), so
extraction worker processes can load it by name or through an entry point.

Cues in the text: ``HANG`` spins forever, holding the interpreter lock as a runaway regex does;
``SLEEP:<ms>`` sleeps; ``EXIT`` ends the process running it; ``LOG`` writes a log line. On every
text it runs a name pattern that backtracks quadratically over runs of capitalised words (the
shape of the ReDoS found in issue 17), harmless on ordinary prose.
"""

from __future__ import annotations

import logging
import os
import re
import time

from claimscope import hookimpl
from claimscope.models import Extraction, Figure

log = logging.getLogger("fixture.tricks")
SLEEP = re.compile(r"SLEEP:(\d+)")
# A run of capitalised words before "said", tried from every word of the run: quadratic.
NAME_BEFORE_SAID = re.compile(r"((?:[A-Z][a-z]+ )+)said")


class Tricks:
    name = "fixture.tricks"
    version = "1.0"
    produces = ("figures",)
    requires = ()

    def extract(self, document, found):
        text = document.text
        if "LOG" in text:
            log.warning("extracting %s", document.id)
        if "EXIT" in text:
            os._exit(3)
        if sleep := SLEEP.search(text):
            time.sleep(int(sleep.group(1)) / 1000)
        while "HANG" in text:
            pass
        NAME_BEFORE_SAID.findall(text)
        return Extraction(
            figures=[
                Figure(text=m.group(), value=float(m.group(1)), start=m.start(), end=m.end(), unit="ms")
                for m in SLEEP.finditer(text)
            ]
        )


@hookimpl
def register_extractors(register):
    register(Tricks())
