"""The plugin manager: loads plugins, collects their extractors and gazetteer entries."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any, NoReturn

import msgspec
import pluggy
from msgspec import Struct

from claimscope.actors import Gazetteer
from claimscope.models import KINDS, ActorEntry
from claimscope.pipeline import hookspecs
from claimscope.pipeline.hookspecs import Extractor
from claimscope.settings import Settings, bind_plugin_settings


class PluginError(Exception):
    """A plugin registered something the contract does not allow."""


@dataclass(frozen=True)
class Registered:
    """An extractor and the plugin that registered it."""

    extractor: Extractor
    plugin: str

    @property
    def name(self) -> str:
        return self.extractor.name


@dataclass
class Plugins:
    """What the loaded plugins contribute."""

    manager: pluggy.PluginManager
    extractors: list[Registered]
    gazetteer: Gazetteer
    settings_schemas: dict[str, type[Struct]] = field(default_factory=dict)

    def configure(self, settings: Settings) -> Settings:
        """`settings` with each plugin's declared settings read (see ``register_settings``)."""
        return bind_plugin_settings(settings, self.settings_schemas)

    def startup(self, settings: Settings) -> None:
        """Every plugin's ``startup``; one that fails stops start-up with a PluginError naming it."""
        settings = self.configure(settings)
        for impl in reversed(self.manager.hook.startup.get_hookimpls()):  # pluggy's call order
            try:
                impl.function(**_hook_args(impl, settings=settings))
            except Exception as exc:
                owner = plugin_name(self.manager, impl.plugin)
                raise PluginError(f"plugin {owner!r} could not start: {exc}") from exc

    def shutdown(self) -> None:
        self.manager.hook.shutdown()


def load_plugins(*, entry_points: bool = True, extra: Iterable[ModuleType | object] = ()) -> Plugins:
    """Build a plugin manager and collect extractors and gazetteer entries.

    ``entry_points`` loads every installed package of the ``claimscope`` group;
    ``extra`` registers further plugin objects (tests use this).
    """
    manager = pluggy.PluginManager(hookspecs.PROJECT)
    manager.add_hookspecs(hookspecs)
    if entry_points:
        manager.load_setuptools_entrypoints(hookspecs.PROJECT)
    for plugin in extra:
        manager.register(plugin)
    return Plugins(
        manager, _collect_extractors(manager), _collect_gazetteer(manager), _collect_settings(manager)
    )


def plugin_name(manager: pluggy.PluginManager, plugin: object) -> str:
    for dist_plugin, dist in manager.list_plugin_distinfo():
        if dist_plugin is plugin:
            return str(dist.project_name)
    return manager.get_name(plugin) or str(getattr(plugin, "__name__", type(plugin).__name__))


def _collect_extractors(manager: pluggy.PluginManager) -> list[Registered]:
    found: list[Registered] = []
    names: dict[str, str] = {}
    for impl in manager.hook.register_extractors.get_hookimpls():
        owner = plugin_name(manager, impl.plugin)

        def register(extractor: Extractor, owner: str = owner) -> None:
            _check_extractor(extractor, owner)
            if extractor.name in names:
                raise PluginError(
                    f"plugin {owner!r}: extractor name {extractor.name!r} is already registered by {names[extractor.name]!r}"
                )
            names[extractor.name] = owner
            found.append(Registered(extractor, owner))

        impl.function(**_hook_args(impl, register=register))
    return found


def _collect_gazetteer(manager: pluggy.PluginManager) -> Gazetteer:
    gazetteer = Gazetteer()
    for impl in manager.hook.register_actor_aliases.get_hookimpls():
        owner = plugin_name(manager, impl.plugin)

        def register(entry: ActorEntry, owner: str = owner) -> None:
            if not isinstance(entry, ActorEntry):
                raise PluginError(
                    f"plugin {owner!r}: register_actor_aliases expects ActorEntry, got {type(entry).__name__}"
                )
            gazetteer.add(entry)

        impl.function(**_hook_args(impl, register=register))
    return gazetteer


_PREFIX = re.compile(r"[a-z][a-z0-9]*")


def _collect_settings(manager: pluggy.PluginManager) -> dict[str, type[Struct]]:
    schemas: dict[str, type[Struct]] = {}
    owners: dict[str, str] = {}
    for impl in manager.hook.register_settings.get_hookimpls():
        owner = plugin_name(manager, impl.plugin)

        def register(prefix: str, schema: type[Struct], owner: str = owner) -> None:
            if not isinstance(prefix, str) or not _PREFIX.fullmatch(prefix):
                raise PluginError(
                    f"plugin {owner!r}: settings prefix {prefix!r} must be lower-case letters and digits"
                )
            if prefix in schemas:
                raise PluginError(
                    f"plugin {owner!r}: settings prefix {prefix!r} is already registered by {owners[prefix]!r}"
                )
            if not (isinstance(schema, type) and issubclass(schema, Struct)):
                raise PluginError(f"plugin {owner!r}: settings for {prefix!r} must be a msgspec.Struct class")
            required = [f.name for f in msgspec.structs.fields(schema) if f.required]
            if required:
                raise PluginError(
                    f"plugin {owner!r}: settings {schema.__name__} need defaults for {', '.join(required)}"
                )
            schemas[prefix], owners[prefix] = schema, owner

        impl.function(**_hook_args(impl, register=register))
    return schemas


def _hook_args(impl: pluggy.HookImpl, **available: Any) -> dict[str, Any]:
    """Only the arguments the implementation declares (pluggy's pruning, done by hand
    because each plugin gets its own ``register`` naming it in errors)."""
    return {name: available[name] for name in impl.argnames}


def _check_extractor(extractor: object, owner: str) -> None:
    def fail(problem: str) -> NoReturn:
        raise PluginError(f"plugin {owner!r}: extractor {getattr(extractor, 'name', extractor)!r} {problem}")

    name = getattr(extractor, "name", None)
    if not isinstance(name, str) or not name.strip():
        fail("has no `name` string")
    if not isinstance(getattr(extractor, "version", None), str):
        fail("has no `version` string")
    if not callable(getattr(extractor, "extract", None)):
        fail("has no `extract(document, found)` method")
    for attr in ("produces", "requires"):
        kinds = getattr(extractor, attr, None)
        if isinstance(kinds, str) or not isinstance(kinds, Iterable):
            fail(f"`{attr}` must be a collection of kinds")
        unknown = set(kinds) - set(KINDS)
        if unknown:
            fail(f"`{attr}` has unknown kinds {sorted(unknown)}; allowed: {', '.join(KINDS)}")
    if not set(getattr(extractor, "produces")):  # noqa: B009 (checked above, unknown type)
        fail("`produces` is empty")
