"""The `Basic` fixture plugin as a module, so that extraction workers can load it by name."""

from tests.fixture_plugins import Basic

_plugin = Basic()
register_actor_aliases = _plugin.register_actor_aliases
register_extractors = _plugin.register_extractors
