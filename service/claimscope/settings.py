"""Service settings: one Struct, read once from CLAIMSCOPE_* environment variables."""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

import msgspec
from msgspec import Meta, Struct, field, inspect

PREFIX = "CLAIMSCOPE_"
Port = Annotated[int, Meta(ge=0, le=65535)]
Positive = Annotated[int, Meta(gt=0)]
Seconds = Annotated[float, Meta(gt=0, le=3600)]
NonNegative = Annotated[int, Meta(ge=0)]


def cpu_count() -> int:
    """The cores this process may run on (a container's CPU set, not the host's count)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


class SettingsError(ValueError):
    """A setting has a bad value; the message names the environment variable."""


class Settings(Struct, kw_only=True, forbid_unknown_fields=True):
    data_dir: str = "data"
    host: str = "127.0.0.1"
    port: Port = 8000
    # Keys allowed to write; when any key is set, writes need one. Read keys may only read;
    # when read keys are set, reads need a read or write key too.
    api_keys: list[str] = field(default_factory=list)
    read_keys: list[str] = field(default_factory=list)
    # tantivy: the fastest embedded index in bench/search.py and bench/search_http.py (bench/README.md)
    index_backend: Literal["tantivy", "sqlite", "meilisearch"] = "tantivy"
    meili_url: str | None = None
    meili_key: str | None = None
    meili_index_prefix: str = "claimscope"
    extractors_enabled: list[str] = field(default_factory=list)  # empty: all installed
    extractors_disabled: list[str] = field(default_factory=list)
    extractor_timeout_ms: Positive = 10_000  # per extractor and document, from the call's start
    # Processes that run the extractors (0: in the calling process, without isolation).
    extraction_workers: NonNegative = field(default_factory=cpu_count)
    # An extractor that times out on this many documents in a row is switched off for the cool-down.
    extractor_circuit_timeouts: Positive = 3
    extractor_circuit_cooldown_ms: Positive = 60_000
    max_body_bytes: Positive = 2 * 1024 * 1024
    max_text_chars: Positive = 500_000
    max_metadata_bytes: Positive = 16 * 1024
    max_batch_size: Positive = 100
    max_search_limit: Positive = 100
    index_wait_ms: Positive = 5_000  # the longest `?wait=true` waits for the index to see a write
    cors_origins: list[str] = field(default_factory=list)
    # Pages: `html` in a document, or only `url` when fetching is on (see claimscope.ingest).
    fetch_urls: bool = False
    fetch_allow: list[str] = field(default_factory=list)  # networks (CIDR) a fetch may reach anyway
    fetch_timeout_ms: Positive = 15_000  # the whole fetch of one page, redirects included
    fetch_max_redirects: Annotated[int, Meta(ge=0, le=20)] = 5
    fetch_concurrency: Positive = 8  # pages fetched at once by one process
    max_html_bytes: Positive = 5 * 1024 * 1024
    max_html_elements: Positive = 30_000
    keep_html: bool = False  # store the page's HTML beside the extracted text
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    log_json: bool = True
    log_repeat_limit: Positive = 20  # identical log lines per minute; more are counted, not written
    # `claimscope serve`: connections beyond the cap get 503; request headers must be in within
    # the deadline (see serving.py)
    max_connections: Positive = 512
    backlog: Positive = 2048
    header_timeout_s: Seconds = 10.0
    keep_alive_timeout_s: Seconds = 5.0
    # Not read from a variable of their own. `plugin_env` holds the CLAIMSCOPE_* variables that
    # are not the service's; `plugins` what they become once plugins declare them
    # (`register_settings`): {prefix: the plugin's settings Struct}.
    plugin_env: dict[str, str] = field(default_factory=dict)
    plugins: dict[str, Any] = field(default_factory=dict)
    stories: bool = True  # group claims of many documents into stories as documents arrive

    @property
    def db_path(self) -> Path:
        return Path(self.data_dir) / "claimscope.db"

    @property
    def auth_enabled(self) -> bool:
        return bool(self.api_keys or self.read_keys)

    def extractor_enabled(self, name: str) -> bool:
        """Whether the extractor called `name` runs: every one, or only the enabled, minus the disabled."""
        return (not self.extractors_enabled or name in self.extractors_enabled) and (
            name not in self.extractors_disabled
        )


_NOT_FROM_ENV = {"plugin_env", "plugins"}
_OWN_FIELDS = [name for name in Settings.__struct_fields__ if name not in _NOT_FROM_ENV]


def env_name(field_name: str, prefix: str = PREFIX) -> str:
    return prefix + field_name.upper()


def load_settings(environ: Mapping[str, str] | None = None, **overrides: object) -> Settings:
    """Settings from the environment (``CLAIMSCOPE_PORT=8001`` …), then keyword overrides.

    Other ``CLAIMSCOPE_*`` variables are kept in ``plugin_env`` for the plugins that
    declare them: :func:`bind_plugin_settings` refuses those nobody declared.
    Raises :class:`SettingsError` with a one-line message naming the variable.
    """
    environ = os.environ if environ is None else environ
    own = {env_name(name): name for name in _OWN_FIELDS}
    raw: dict[str, object] = {own[k]: v for k, v in environ.items() if k in own}
    raw.update({k: v for k, v in overrides.items() if v is not None})
    settings = _convert(Settings, raw, PREFIX)
    settings.plugin_env = {k: v for k, v in environ.items() if k.startswith(PREFIX) and k not in own}
    for network in settings.fetch_allow:
        try:
            ipaddress.ip_network(network, strict=False)
        except ValueError:
            raise SettingsError(
                f"{env_name('fetch_allow')}: {network!r} is not a network in CIDR form (such as 10.0.0.0/8)"
            ) from None
    if settings.index_backend == "meilisearch" and not settings.meili_url:
        raise SettingsError(
            f"{env_name('meili_url')} is required when {env_name('index_backend')}=meilisearch"
        )
    return settings


def bind_plugin_settings(settings: Settings, schemas: Mapping[str, type[Struct]]) -> Settings:
    """`settings` with ``plugins`` filled: for each declared prefix ("spacy"), its Struct read
    from the CLAIMSCOPE_SPACY_<FIELD> variables. A CLAIMSCOPE_* variable that neither the
    service nor a plugin declares is an error, as is a bad value."""
    plugins: dict[str, Any] = {}
    claimed: set[str] = set()
    for prefix, schema in schemas.items():
        env_prefix = f"{PREFIX}{prefix.upper()}_"
        names = {env_name(name, env_prefix): name for name in schema.__struct_fields__}
        raw: dict[str, object] = {names[k]: v for k, v in settings.plugin_env.items() if k in names}
        claimed.update(k for k in settings.plugin_env if k in names)
        plugins[prefix] = _convert(schema, raw, env_prefix)
    unknown = sorted(set(settings.plugin_env) - claimed)
    if unknown:
        raise SettingsError(
            f"{unknown[0]} is not a claimscope setting (nor one an installed plugin declares)"
        )
    return msgspec.structs.replace(settings, plugins=plugins)


S = TypeVar("S", bound=Struct)


def _convert(schema: type[S], raw: dict[str, object], prefix: str) -> S:
    """`raw` values (strings from variables; comma-separated for lists) as a `schema` Struct."""
    info = inspect.type_info(schema)
    assert isinstance(info, inspect.StructType)
    lists = {f.name for f in info.fields if isinstance(f.type, inspect.ListType)}
    for name, value in raw.items():
        if name in lists and isinstance(value, str):
            raw[name] = [v.strip() for v in value.split(",") if v.strip()]
    try:
        return msgspec.convert(raw, schema, strict=False)
    except msgspec.ValidationError as exc:
        raise SettingsError(_explain(exc, raw, prefix)) from None


def _explain(exc: msgspec.ValidationError, raw: Mapping[str, object], prefix: str) -> str:
    match = re.search(r"at `\$\.(\w+)", str(exc))
    message = str(exc).split(" - at ")[0]
    if not match:
        return f"invalid settings: {message}"
    name = match.group(1)
    return f"{env_name(name, prefix)}={raw.get(name)!r} is invalid: {message}"
