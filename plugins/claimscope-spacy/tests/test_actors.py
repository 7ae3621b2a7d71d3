"""spacy.actors: entities as actors, resolved through the gazetteer and within the document."""

from __future__ import annotations

from claimscope.models import Actor, Mention
from claimscope.pipeline.hookspecs import Found
from claimscope.testing import check_extractor, check_pipeline


def actors(plugins, text, found=None):
    extractor = plugins.extractor("spacy.actors")
    extraction = check_extractor(extractor, text, found=found or Found(gazetteer=plugins.gazetteer))
    return {a.id: a for a in extraction.actors}


def test_entities_become_actors_of_their_type(plugins):
    got = actors(plugins, "Marta Oliveira, the chief executive of Vantor Electronics, spoke in Lisbon.")
    assert {i: a.type for i, a in got.items()} == {
        "marta-oliveira": "person",
        "vantor-electronics": "organization",
        "lisbon": "place",
    }
    assert got["marta-oliveira"].mentions == [Mention("Marta Oliveira", 0, 14)]


def test_demonyms_and_metonyms_resolve_through_the_gazetteer(plugins):
    got = actors(plugins, "Norwegian officials said Oslo would not sign.")
    assert list(got) == ["norway"]
    assert got["norway"].name == "Norway" and got["norway"].type == "country"
    assert [m.text for m in got["norway"].mentions] == ["Norwegian", "Oslo"]


def test_a_surname_and_the_first_words_of_an_organisation_are_the_actor_named_in_full(plugins):
    text = (
        "Marta Oliveira, the chief executive of Vantor Electronics, spoke in Lisbon on Monday. "
        "Oliveira said Vantor would hire more staff."
    )
    got = actors(plugins, text)
    assert [m.text for m in got["marta-oliveira"].mentions] == ["Marta Oliveira", "Oliveira"]
    assert [m.text for m in got["vantor-electronics"].mentions] == ["Vantor Electronics", "Vantor"]
    assert "vantor" not in got and "oliveira" not in got


def test_articles_possessives_and_symbols_stay_out_of_the_mention(plugins):
    text = "Norwegian officials met the Halvorsen Group's board. 🙂 Émile Zola̧ met Marta Oliveira in Québec."
    got = actors(plugins, text)
    mentions = [m.text for a in got.values() for m in a.mentions]
    assert "Halvorsen Group" in mentions and "Québec" in mentions
    assert all(not m.startswith(("the ", "🙂")) and not m.endswith("'s") for m in mentions)


def test_offsets_are_code_points_after_astral_and_combining_characters(plugins):
    text = "𝒜𝒷𝒸 🙂🙂 — Zoë Brekke said ñ̃ nothing. Marta Oliveira met Zoë Brekke in Lisbon."
    for actor in actors(plugins, text).values():
        for m in actor.mentions:  # check_extractor checked text[start:end] == m.text; here the values
            assert text.index(m.text) <= m.start and len(m.text) == m.end - m.start


def test_what_an_earlier_extractor_found_keeps_its_span_and_lends_its_id(plugins):
    earlier = Actor(
        id="m-oliveira",
        name="Marta Oliveira",
        type="person",
        aliases=["Oliveira"],
        mentions=[Mention("Marta Oliveira", 0, 14)],
    )
    text = "Marta Oliveira met staff in Lisbon. Oliveira said Vantor Electronics would hire."
    got = actors(plugins, text, Found(gazetteer=plugins.gazetteer, actors=[earlier]))
    assert [m.text for m in got["m-oliveira"].mentions] == ["Oliveira"]  # the full name was found already
    assert "marta-oliveira" not in got


def test_unknown_nationalities_are_left_out(plugins):
    got = actors(plugins, "Icelandic voters and Marta Oliveira met in Lisbon.")
    assert set(got) == {"marta-oliveira", "lisbon"}


def test_in_the_pipeline_mentions_merge_by_id(plugins):
    extraction = check_pipeline(plugins, "Norwegian officials said Oslo would not sign, Marta Oliveira said.")
    ids = [a.id for a in extraction.actors]
    assert len(ids) == len(set(ids)) and "norway" in ids and "marta-oliveira" in ids
