"""Plugins declare their own CLAIMSCOPE_<PREFIX>_* settings; the service reads and checks them."""

from __future__ import annotations

import pytest
from claimscope import hookimpl
from claimscope.core import Claimscope
from claimscope.pipeline.manager import PluginError, load_plugins
from claimscope.settings import SettingsError, load_settings
from msgspec import Struct, field

from tests.unit.test_cli import run


class DemoSettings(Struct, kw_only=True):
    level: int = 1
    names: list[str] = field(default_factory=list)


class Demo:
    """Declares CLAIMSCOPE_DEMO_LEVEL and CLAIMSCOPE_DEMO_NAMES; records what startup got."""

    def __init__(self):
        self.started_with = None

    @hookimpl
    def register_settings(self, register):
        register("demo", DemoSettings)

    @hookimpl
    def startup(self, settings):
        self.started_with = settings.plugins["demo"]


def open_core(tmp_path, environ, *plugins):
    settings = load_settings(environ, data_dir=str(tmp_path))
    return Claimscope.open(settings, entry_points=False, extra_plugins=plugins)


def test_a_plugin_gets_its_declared_settings_from_its_variables(tmp_path):
    demo = Demo()
    core = open_core(tmp_path, {"CLAIMSCOPE_DEMO_LEVEL": "3", "CLAIMSCOPE_DEMO_NAMES": "a, b"}, demo)
    core.close()
    assert demo.started_with == DemoSettings(level=3, names=["a", "b"])


def test_defaults_without_variables(tmp_path):
    demo = Demo()
    open_core(tmp_path, {}, demo).close()
    assert demo.started_with == DemoSettings()


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"CLAIMSCOPE_DEMO_LEVEL": "high"}, "CLAIMSCOPE_DEMO_LEVEL='high' is invalid"),
        ({"CLAIMSCOPE_DEMO_LEVLE": "2"}, "CLAIMSCOPE_DEMO_LEVLE is not a claimscope setting"),
        ({"CLAIMSCOPE_PROT": "8000"}, "CLAIMSCOPE_PROT is not a claimscope setting"),
    ],
)
def test_bad_or_undeclared_variables_stop_start_up_naming_them(tmp_path, environ, message):
    with pytest.raises(SettingsError, match=message) as info:
        open_core(tmp_path, environ, Demo())
    assert "\n" not in str(info.value)


def test_without_the_plugin_its_variables_are_unknown(tmp_path):
    with pytest.raises(SettingsError, match="CLAIMSCOPE_DEMO_LEVEL is not a claimscope setting"):
        open_core(tmp_path, {"CLAIMSCOPE_DEMO_LEVEL": "3"})


def test_the_cli_reports_an_undeclared_variable_in_one_line(tmp_path):
    result = run("extractors", env={"CLAIMSCOPE_PROT": "8000"})
    assert result.exit_code == 1
    assert (
        result.output.strip().count("\n") == 0
        and "CLAIMSCOPE_PROT is not a claimscope setting" in result.output
    )


class Required(Struct):
    level: int


@pytest.mark.parametrize(
    ("prefix", "schema", "message"),
    [
        ("Demo", DemoSettings, "must be lower-case letters and digits"),
        ("demo", dict, "must be a msgspec.Struct class"),
        ("demo", Required, "need defaults for level"),
    ],
)
def test_bad_declarations_name_the_plugin(prefix, schema, message):
    class Bad:
        @hookimpl
        def register_settings(self, register):
            register(prefix, schema)

    with pytest.raises(PluginError, match=f"plugin .*{message}"):
        load_plugins(entry_points=False, extra=[Bad()])


def test_two_plugins_cannot_share_a_prefix():
    with pytest.raises(PluginError, match="prefix 'demo' is already registered"):
        load_plugins(entry_points=False, extra=[Demo(), Demo()])


def test_a_plugin_that_cannot_start_stops_start_up_naming_itself(tmp_path):
    class Broken:
        @hookimpl
        def startup(self):
            raise RuntimeError("the model is missing: pip install it")

    with pytest.raises(PluginError, match="could not start: the model is missing: pip install it"):
        open_core(tmp_path, {}, Broken())
