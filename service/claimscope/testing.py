"""A kit for plugin authors: run your extractors the way the service does, and check the contract.

    from claimscope.testing import check_extractor, started

    def test_my_extractor_finds_ministers():
        with started(my_package.plugin) as plugins:
            extraction = check_extractor(plugins.extractor("mine.actors"), "The minister said so.")
        assert extraction.actors

:func:`check_extractor` fails the test (``AssertionError``) when the extractor raises or
returns something the contract forbids: not an Extraction, a kind it does not declare in
``produces``, a span whose ``text[start:end]`` is not its ``text``, a claim's figure ref that
points nowhere. :func:`check_pipeline` does the same for every extractor of the loaded plugins,
in the order the service runs them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from claimscope.actors import Gazetteer
from claimscope.models import DocumentIn, Extraction
from claimscope.pipeline.hookspecs import Extractor, Found
from claimscope.pipeline.manager import Plugins, load_plugins
from claimscope.pipeline.runner import MalformedOutput, Pipeline, check_output, select
from claimscope.settings import Settings, load_settings


@dataclass
class Started:
    """The plugins under test, started with `settings`."""

    plugins: Plugins
    settings: Settings

    @property
    def gazetteer(self) -> Gazetteer:
        return self.plugins.gazetteer

    def extractor(self, name: str) -> Extractor:
        """The registered extractor called `name`."""
        for registered in self.plugins.extractors:
            if registered.name == name:
                return registered.extractor
        names = ", ".join(r.name for r in self.plugins.extractors) or "none"
        raise AssertionError(f"no extractor {name!r} is registered; registered: {names}")


@contextmanager
def started(
    *plugins: ModuleType | object, environ: dict[str, str] | None = None, **settings: Any
) -> Iterator[Started]:
    """Load only `plugins` (no installed entry points), read settings from `environ` (not the
    process's environment) and keyword overrides, call their ``startup``, and ``shutdown`` at exit."""
    loaded = load_plugins(entry_points=False, extra=plugins)
    conf = loaded.configure(load_settings(environ or {}, **settings))
    loaded.startup(conf)
    try:
        yield Started(loaded, conf)
    finally:
        loaded.shutdown()


def check_extractor(
    extractor: Extractor,
    text: str,
    *,
    found: Found | None = None,
    gazetteer: Gazetteer | None = None,
    published_at: str | None = None,
) -> Extraction:
    """Run one extractor on `text` and check what it returns against the contract.

    `found` is what earlier extractors found (by default nothing, with `gazetteer`, or an
    empty one). Returns the extraction; raises AssertionError naming the broken rule.
    """
    found = found if found is not None else Found(gazetteer=gazetteer or Gazetteer())
    document = DocumentIn(id="test", text=text, published_at=published_at)
    result = extractor.extract(document, found)
    try:
        check_output(result, tuple(extractor.produces), text, len(found.figures))
    except MalformedOutput as exc:
        raise AssertionError(f"{extractor.name}: {exc}") from None
    assert isinstance(result, Extraction)
    return result


def check_pipeline(plugins: Started | Plugins, text: str, *, published_at: str | None = None) -> Extraction:
    """Every enabled extractor of `plugins` on `text`, in the service's order and with its
    merging; raises AssertionError when any run failed (an exception or a broken contract)."""
    loaded, conf = (plugins.plugins, plugins.settings) if isinstance(plugins, Started) else (plugins, None)
    chosen = select(loaded.extractors, conf.extractors_enabled, conf.extractors_disabled) if conf else None
    pipeline = Pipeline(chosen if chosen is not None else loaded.extractors, loaded.gazetteer)
    try:
        extraction = pipeline.run(DocumentIn(id="test", text=text, published_at=published_at))
    finally:
        pipeline.close()
    failed = [f"{r.name}: {r.error}" for r in extraction.runs if not r.ok]
    assert not failed, "; ".join(failed)
    return extraction
