"""How the runner merges what extractors return: refinement of items found before, conflicts."""

from __future__ import annotations

from claimscope import hookimpl
from claimscope.models import Claim, Extraction

from tests.fixture_plugins import Basic, Extractor, Refining

QUOTES = "“We stay,” said Ana Costa. “We go.” Then: “Maybe not.”"


def test_a_refiner_fills_empty_fields_and_records_a_conflict_where_it_disagrees(make_client):
    client = make_client(Refining())
    doc = client.post("/v1/documents", json={"id": "q", "text": QUOTES}).json()
    extraction = doc["extraction"]
    assert [r["name"] for r in extraction["runs"]] == ["fixture.quotes", "fixture.speakers"]
    quotes = [(q["text"], q["speaker_id"], q["speaker_name"]) for q in extraction["quotes"]]
    assert quotes == [
        ("We stay,", "ana-costa", "Ana Costa"),  # found first: kept
        ("We go.", "ben-ode", "Ben Ode"),  # left empty: filled
        ("Maybe not.", "ben-ode", "Ben Ode"),
    ]
    assert [q["id"] for q in extraction["quotes"]] == ["q:q0", "q:q1", "q:q2"]  # no duplicates
    first = extraction["quotes"][0]
    assert extraction["conflicts"] == [
        {
            "kind": "quotes",
            "start": first["start"],
            "end": first["end"],
            "extractor": "fixture.speakers",
            "kept": {"speaker_id": "ana-costa", "speaker_name": "Ana Costa"},
            "proposed": {"speaker_id": "ben-ode", "speaker_name": "Ben Ode"},
        }
    ]
    assert client.get("/v1/documents/q").json()["extraction"]["conflicts"] == extraction["conflicts"]


def test_without_the_refiner_quotes_keep_what_the_finder_gave(make_client):
    client = make_client(Refining(), extractors_disabled=["fixture.speakers"])
    extraction = client.post("/v1/documents", json={"text": QUOTES}).json()["extraction"]
    assert [q["speaker_id"] for q in extraction["quotes"]] == ["ana-costa", None, None]
    assert extraction["conflicts"] == []


def test_a_claim_referring_to_a_figure_nobody_found_is_a_failed_run(make_client):
    class BadRefs:
        @hookimpl
        def register_extractors(self, register):
            def claims(document, found):
                n = len(found.figures)
                text = document.text[:10]
                return Extraction(
                    claims=[Claim(text=text, start=0, end=10, status="reported", figure_refs=[n])]
                )

            register(Extractor("fixture.bad-refs", ["claims"], ["figures"], fn=claims))

    client = make_client(Basic(), BadRefs())
    doc = client.post("/v1/documents", json={"text": "Pyongyang sent 300 soldiers."}).json()
    run = next(r for r in doc["extraction"]["runs"] if r["name"] == "fixture.bad-refs")
    assert not run["ok"] and "refers to figures [1]; 1 were found before it" in run["error"]
