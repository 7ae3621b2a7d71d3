"""Beside the rules, as `make test` installs them: the settings pick rules, spaCy or both per
kind, the service lists what runs, and both actors extractors merge by id."""

from __future__ import annotations

import pytest
from claimscope.app import create_app
from claimscope.settings import load_settings
from litestar.testing import TestClient

pytest.importorskip("claimscope_rules")

TEXT = (
    "Norwegian officials met Marta Oliveira, the chief executive of Vantor Electronics, in Oslo. "
    "“We will build it here,” Oliveira told reporters. Vantor said it would hire staff."
)


@pytest.fixture
def service(tmp_path):
    """service(env) -> a TestClient on every installed plugin, configured by `env`."""
    clients = []

    def make(env):
        client = TestClient(create_app(load_settings(env, data_dir=str(tmp_path / str(len(clients))))))
        clients.append(client.__enter__())
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


def enabled(client):
    return [i["name"] for i in client.get("/v1/extractors").json() if i["enabled"]]


def test_by_default_both_run_and_actors_merge_by_id(service):
    client = service({})
    order = enabled(client)
    assert set(order) == {f"rules.{k}" for k in ("actors", "dates", "figures", "quotes", "claims")} | {
        "spacy.actors",
        "spacy.speakers",
    }
    # each reads what the other produces: spaCy's actors join the rules' before quotes are
    # attributed, and claims see the speakers spaCy filled
    assert order.index("rules.actors") < order.index("spacy.actors") < order.index("rules.quotes")
    assert order.index("rules.quotes") < order.index("spacy.speakers") < order.index("rules.claims")
    extraction = client.post("/v1/documents", json={"text": TEXT}).json()["extraction"]
    assert all(r["ok"] for r in extraction["runs"])
    ids = [a["id"] for a in extraction["actors"]]
    assert len(ids) == len(set(ids)) and "norway" in ids and "vantor-electronics" in ids
    spans = [(m["start"], m["end"]) for a in extraction["actors"] for m in a["mentions"]]
    assert len(spans) == len(set(spans))
    assert extraction["quotes"][0]["speaker_name"] == "Marta Oliveira"


def test_rules_only(service):
    client = service({"CLAIMSCOPE_EXTRACTORS_DISABLED": "spacy.actors,spacy.speakers"})
    assert not [n for n in enabled(client) if n.startswith("spacy.")]
    runs = client.post("/v1/documents", json={"text": TEXT}).json()["extraction"]["runs"]
    assert [r["name"] for r in runs] == [
        "rules.actors",
        "rules.dates",
        "rules.figures",
        "rules.quotes",
        "rules.claims",
    ]


def test_spacy_actors_with_the_rules_for_the_other_kinds(service):
    client = service({"CLAIMSCOPE_EXTRACTORS_DISABLED": "rules.actors"})
    assert "rules.actors" not in enabled(client) and "spacy.actors" in enabled(client)
    extraction = client.post("/v1/documents", json={"text": TEXT}).json()["extraction"]
    assert "vantor-electronics" in {a["id"] for a in extraction["actors"]}
    assert extraction["quotes"][0]["speaker_id"] == "marta-oliveira"


def test_spacy_only(service):
    client = service({"CLAIMSCOPE_EXTRACTORS_ENABLED": "spacy.actors,spacy.speakers"})
    assert enabled(client) == ["spacy.actors", "spacy.speakers"]
    extraction = client.post("/v1/documents", json={"text": TEXT}).json()["extraction"]
    assert {"norway", "marta-oliveira", "vantor-electronics"} <= {a["id"] for a in extraction["actors"]}
    assert extraction["quotes"] == []  # nobody finds quotes for spacy.speakers to refine
