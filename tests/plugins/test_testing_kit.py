"""claimscope.testing: the kit plugin authors test their extractors with."""

from __future__ import annotations

import pytest
from claimscope.actors import Gazetteer
from claimscope.models import ActorEntry, Claim, Extraction, Figure
from claimscope.pipeline.hookspecs import Found
from claimscope.testing import check_extractor, check_pipeline, started

from tests.fixture_plugins import Basic, Extractor, Malformed, Raising, find_gazetteer_actors
from tests.plugins.test_plugin_settings import Demo, DemoSettings

TEXT = "Pyongyang sent 300 soldiers. Moscow confirmed it."


def test_a_good_extractor_passes_and_its_extraction_comes_back():
    with started(Basic()) as plugins:
        extraction = check_extractor(plugins.extractor("fixture.actors"), TEXT, gazetteer=plugins.gazetteer)
    assert [a.id for a in extraction.actors] == ["north-korea", "russia"]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("fixture.outside", "fixture.outside: figures span .* lies outside the text"),
        ("fixture.wrong-text", "is 'Pyo' in the text, not 'not here'"),
        ("fixture.wrong-type", "returned dict, not Extraction"),
    ],
)
def test_a_broken_contract_fails_the_test_naming_the_rule(name, message):
    with started(Malformed()) as plugins, pytest.raises(AssertionError, match=message):
        check_extractor(plugins.extractor(name), TEXT)


def test_undeclared_kinds_and_figure_refs_that_point_nowhere_fail():
    gazetteer = Gazetteer([ActorEntry(name="Russia", type="country", metonyms=["Moscow"])])
    sneaky = Extractor("x.sneaky", ["dates"], fn=find_gazetteer_actors)
    with pytest.raises(AssertionError, match="returned actors but does not declare it"):
        check_extractor(sneaky, TEXT, gazetteer=gazetteer)

    def claim(document, found):
        return Extraction(
            claims=[Claim(text="Pyongyang", start=0, end=9, status="reported", figure_refs=[1])]
        )

    one_figure = Found(gazetteer=gazetteer, figures=[Figure(text="300", value=300, start=15, end=18)])
    with pytest.raises(AssertionError, match="refers to figures \\[1\\]; 1 were found"):
        check_extractor(Extractor("x.claims", ["claims"], ["figures"], fn=claim), TEXT, found=one_figure)


def test_check_pipeline_runs_in_order_and_fails_on_any_failed_run():
    with started(Basic()) as plugins:
        extraction = check_pipeline(plugins, TEXT)
    assert [c.status for c in extraction.claims] == ["reported", "confirmed"]
    with (
        started(Basic(), Raising()) as plugins,
        pytest.raises(AssertionError, match="fixture.raises: RuntimeError"),
    ):
        check_pipeline(plugins, TEXT)
    with started(Basic(), Raising(), extractors_disabled=["fixture.raises"]) as plugins:
        assert check_pipeline(plugins, TEXT).claims


def test_started_reads_plugin_settings_from_the_given_environ_only():
    demo = Demo()
    with started(demo, environ={"CLAIMSCOPE_DEMO_LEVEL": "7"}):
        assert demo.started_with == DemoSettings(level=7)
