"""The plugin host: ordering, failure isolation, validation of what plugins register."""

from __future__ import annotations

import re

import pytest
from claimscope import hookimpl
from claimscope.core import Claimscope
from claimscope.models import ActorEntry
from claimscope.pipeline.manager import PluginError, load_plugins
from claimscope.pipeline.runner import PipelineError
from claimscope.settings import load_settings

from tests.fixture_plugins import Basic, Cycle, Extractor, Lifecycle, Malformed, NeedsDates, Raising, Slow

TEXT = "Pyongyang sent 300 soldiers. Moscow confirmed it."


def runs_of(doc):
    return {r["name"]: r for r in doc["extraction"]["runs"]}


def test_failing_extractor_is_recorded_and_the_rest_still_run(make_client):
    client = make_client(Basic(), Raising())
    r = client.post("/v1/documents", json={"id": "d", "text": TEXT})
    assert r.status_code == 201
    runs = runs_of(r.json())
    assert runs["fixture.raises"]["ok"] is False
    assert runs["fixture.raises"]["error"] == "RuntimeError: boom"
    assert runs["fixture.actors"]["ok"] and runs["fixture.claims"]["ok"]
    assert {a["id"] for a in r.json()["extraction"]["actors"]} == {"north-korea", "russia"}


def test_malformed_output_is_a_failed_run_and_contributes_nothing(make_client):
    client = make_client(Basic(), Malformed())
    doc = client.post("/v1/documents", json={"id": "d", "text": TEXT}).json()
    runs = runs_of(doc)
    assert "outside the text" in runs["fixture.outside"]["error"]
    assert "not 'not here'" in runs["fixture.wrong-text"]["error"]
    assert "not Extraction" in runs["fixture.wrong-type"]["error"]
    assert not any(runs[n]["ok"] for n in ("fixture.outside", "fixture.wrong-text", "fixture.wrong-type"))
    assert [f["text"] for f in doc["extraction"]["figures"]] == ["300"]
    for figure in doc["extraction"]["figures"]:
        assert TEXT[figure["start"] : figure["end"]] == figure["text"]


def test_runaway_extractor_times_out_and_the_document_is_stored(make_client):
    client = make_client(Basic(), Slow(), extractor_timeout_ms=200)
    r = client.post("/v1/documents", json={"id": "d", "text": TEXT})
    assert r.status_code == 201
    slow = runs_of(r.json())["fixture.slow"]
    assert slow["ok"] is False and slow["error"].startswith("timed out")
    assert client.get("/v1/documents/d").json()["extraction"]["claims"]


def test_extra_extractor_from_another_plugin_runs_in_order_timed_and_listed(make_client):
    seen = {}

    class Summary:
        @hookimpl
        def register_extractors(self, register):
            def look(document, found):
                seen["claims"] = [c.status for c in found.claims]
                seen["actors"] = sorted(a.id for a in found.actors)
                from claimscope.models import Extraction

                return Extraction()

            register(Extractor("other.summary", ["quotes"], ["claims"], version="2.1", fn=look))

    client = make_client(Summary(), Basic())
    doc = client.post("/v1/documents", json={"id": "d", "text": TEXT}).json()
    assert seen == {"claims": ["reported", "confirmed"], "actors": ["north-korea", "russia"]}
    names = [r["name"] for r in doc["extraction"]["runs"]]
    assert names.index("other.summary") > names.index("fixture.claims")
    assert runs_of(doc)["other.summary"]["version"] == "2.1"
    listed = {i["name"]: i for i in client.get("/v1/extractors").json()}
    assert listed["other.summary"]["order"] == 3 and listed["other.summary"]["version"] == "2.1"


def test_disabled_extractor_does_not_run_and_is_listed_as_disabled(make_client):
    client = make_client(Basic(), Raising(), extractors_disabled=["fixture.raises"])
    doc = client.post("/v1/documents", json={"id": "d", "text": TEXT}).json()
    assert "fixture.raises" not in runs_of(doc)
    listed = {i["name"]: i for i in client.get("/v1/extractors").json()}
    assert listed["fixture.raises"]["enabled"] is False and listed["fixture.raises"]["order"] is None


def open_core(tmp_path, *plugins, **settings):
    return Claimscope.open(
        load_settings({}, data_dir=str(tmp_path), **settings), entry_points=False, extra_plugins=plugins
    )


def test_cycle_is_a_clear_error(tmp_path):
    with pytest.raises(PipelineError, match="cycle: fixture.a, fixture.b"):
        open_core(tmp_path, Cycle())


def test_missing_producer_is_a_clear_error(tmp_path):
    with pytest.raises(PipelineError, match="'fixture.needs-dates' requires 'dates'"):
        open_core(tmp_path, NeedsDates())


def test_disabling_a_producer_others_need_is_a_clear_error(tmp_path):
    with pytest.raises(PipelineError, match="requires 'actors'"):
        open_core(tmp_path, Basic(), extractors_disabled=["fixture.actors"])


def test_unknown_extractor_name_in_settings(tmp_path):
    with pytest.raises(PipelineError, match="'nope' is not installed"):
        open_core(tmp_path, Basic(), extractors_enabled=["nope"])


@pytest.mark.parametrize(
    ("extractor", "message"),
    [
        (Extractor("", ["actors"]), "no `name`"),
        (Extractor("x.bad", ["opinions"]), "unknown kinds \\['opinions'\\]"),
        (Extractor("x.bad", []), "`produces` is empty"),
        (Extractor("x.bad", ["actors"], requires="actors"), "collection of kinds"),
    ],
)
def test_bad_registration_names_the_plugin(extractor, message):
    class Bad:
        @hookimpl
        def register_extractors(self, register):
            register(extractor)

    with pytest.raises(PluginError, match=f"plugin .*{message}"):
        load_plugins(entry_points=False, extra=[Bad()])


def test_duplicate_extractor_name_is_refused():
    class Again:
        @hookimpl
        def register_extractors(self, register):
            register(Extractor("fixture.actors", ["actors"]))

    with pytest.raises(PluginError, match="already registered"):
        load_plugins(entry_points=False, extra=[Basic(), Again()])


def test_actor_aliases_from_two_plugins_merge_into_one_entry():
    class MoreNames:
        @hookimpl
        def register_actor_aliases(self, register):
            register(ActorEntry(name="North Korea", type="country", aliases=["DPRK"]))

    gazetteer = load_plugins(entry_points=False, extra=[Basic(), MoreNames()]).gazetteer
    assert gazetteer.lookup("DPRK").id == gazetteer.lookup("Pyongyang").id == "north-korea"
    assert gazetteer.lookup("the DPRK’s").id == "north-korea"


def test_startup_and_shutdown_hooks(tmp_path):
    lifecycle = Lifecycle()
    core = open_core(tmp_path, lifecycle)
    assert lifecycle.calls == [("startup", str(tmp_path))]
    core.close()
    assert lifecycle.calls[-1] == ("shutdown",)


def test_installed_plugins_are_found_through_entry_points():
    plugins = load_plugins(entry_points=True)
    names = {name for _, dist in plugins.manager.list_plugin_distinfo() for name in [dist.project_name]}
    assert "claimscope-rules" in names


def test_an_actor_keeps_one_id_across_documents_through_its_aliases(make_client):
    """A surname alone in a later document is the person met in full before; aliases grow."""

    class People:
        @hookimpl
        def register_extractors(self, register):
            def people(document, found):
                """ "Ana Costa" and any later bare "Costa" are one person; a bare "Costa" alone is "Costa"."""
                from claimscope.actors import slugify
                from claimscope.models import Actor, Extraction, Mention

                spans = [
                    Mention(m.group(), m.start(), m.end())
                    for m in re.finditer(r"(?:Ana )?Costa", document.text)
                ]
                if not spans:
                    return Extraction()
                name = "Ana Costa" if any(m.text == "Ana Costa" for m in spans) else "Costa"
                return Extraction(actors=[Actor(id=slugify(name), name=name, type="person", mentions=spans)])

            register(Extractor("fixture.people", ["actors"], fn=people))

    client = make_client(People())
    first = client.post("/v1/documents", json={"id": "a", "text": "Ana Costa spoke. Costa left."}).json()
    assert [a["id"] for a in first["extraction"]["actors"]] == ["ana-costa"]
    later = client.post("/v1/documents", json={"id": "b", "text": "Costa said no."}).json()
    assert [(a["id"], a["name"]) for a in later["extraction"]["actors"]] == [("ana-costa", "Ana Costa")]
    actor = client.get("/v1/actors/ana-costa").json()
    assert actor["document_count"] == 2 and "Costa" in actor["aliases"]
