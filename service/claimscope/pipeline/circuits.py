"""Circuit breakers: an extractor that times out on N documents in a row is switched off.

A stuck extractor costs its whole budget on every document; once it has timed out `threshold`
times in a row its circuit opens and documents are stored without it (their runs say
``skipped: circuit open``, and ``claimscope reextract`` fills them in later). After the
cool-down one document tries it again (half-open): if that run finishes, the circuit closes; if
it times out, the circuit opens for another cool-down. A run that finishes, even with an error,
resets the count: only timeouts cost the service time.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from typing import Literal

from msgspec import Struct

State = Literal["closed", "open", "half-open"]


class Circuit(Struct):
    """One extractor's breaker, as stored (``opened_at`` is wall-clock seconds)."""

    name: str
    version: str
    state: State = "closed"
    timeouts: int = 0  # documents in a row on which it timed out
    opened_at: float | None = None


class Circuits:
    """The breakers of one pipeline; thread-safe. `on_change` persists a breaker that changed."""

    def __init__(
        self,
        versions: dict[str, str] | None = None,
        *,
        threshold: int = 3,
        cooldown_s: float = 60.0,
        known: Iterable[Circuit] = (),
        on_change: Callable[[Circuit], None] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.threshold = threshold
        self.cooldown_s = cooldown_s
        self.on_change = on_change
        self.clock = clock
        self._lock = threading.Lock()
        self._versions = versions or {}
        # A breaker saved for another version of the extractor does not apply to this one.
        self._circuits = {c.name: c for c in known if self._versions.get(c.name) == c.version}
        self._trial_started: dict[str, float] = {}

    def get(self, name: str) -> Circuit:
        with self._lock:
            return self._get(name)

    def open_names(self) -> list[str]:
        """Extractors switched off now (open, or half-open with a trial under way)."""
        with self._lock:
            return sorted(n for n, c in self._circuits.items() if c.state != "closed")

    def allow(self, name: str) -> bool:
        """May the next document run this extractor? Half-open lets one trial through."""
        with self._lock:
            circuit = self._get(name)
            now = self.clock()
            if circuit.state == "closed":
                return True
            if circuit.state == "open":
                if now < (circuit.opened_at or 0) + self.cooldown_s:
                    return False
                self._set(circuit, state="half-open")
            # Half-open: one trial at a time; a trial that never reported back is replaced.
            trial = self._trial_started.get(name)
            if trial is not None and now < trial + self.cooldown_s:
                return False
            self._trial_started[name] = now
            return True

    def retry(self) -> None:
        """Make every open circuit half-open now, its trial free to start (``reextract``)."""
        with self._lock:
            for circuit in self._circuits.values():
                if circuit.state == "open":
                    self._trial_started.pop(circuit.name, None)
                    self._set(circuit, state="half-open")

    def observe(self, name: str, outcome: str) -> None:
        """Count one run's outcome: ``timed out``, ``skipped``, or another (it finished)."""
        if outcome == "skipped":
            return
        with self._lock:
            circuit = self._get(name)
            if outcome == "timed out":
                timeouts = circuit.timeouts + 1
                if circuit.state == "half-open" or timeouts >= self.threshold:
                    self._trial_started.pop(name, None)
                    self._set(circuit, state="open", timeouts=timeouts, opened_at=self.clock())
                else:
                    self._set(circuit, timeouts=timeouts)
            elif circuit.state != "closed" or circuit.timeouts:
                self._trial_started.pop(name, None)
                self._set(circuit, state="closed", timeouts=0, opened_at=None)

    def _get(self, name: str) -> Circuit:
        circuit = self._circuits.get(name)
        if circuit is None:
            circuit = self._circuits[name] = Circuit(name=name, version=self._versions.get(name, ""))
        return circuit

    def _set(self, circuit: Circuit, **changes: object) -> None:
        for field, value in changes.items():
            setattr(circuit, field, value)
        if self.on_change is not None:
            self.on_change(Circuit(**{f: getattr(circuit, f) for f in Circuit.__struct_fields__}))
