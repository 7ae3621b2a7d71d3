import claimscope_rules.plugin
import pluggy
from claimscope.actors import Gazetteer
from claimscope.pipeline import hookspecs


def actors(extraction):
    return {a.id: a for a in extraction.actors}


def test_countries_by_name_demonym_and_capital_are_one_actor(extract):
    found = actors(
        extract("Tehran said Iranian drones were sold. Iran denied it. The Kremlin declined to comment.")
    )
    assert [m.text for m in found["iran"].mentions] == ["Tehran", "Iranian", "Iran"]
    assert [m.text for m in found["russia"].mentions] == ["Kremlin"]
    assert found["iran"].type == "country" and found["iran"].name == "Iran"


def test_spelling_variants_resolve_to_one_person(extract):
    for variant in ("Zelensky", "Zelenskiy", "Zelenskyy"):
        assert actors(extract(f"Volodymyr {variant} spoke in Kyiv."))["volodymyr-zelenskyy"].type == "person"


def test_organisations_and_acronyms(extract):
    found = actors(extract("The IAEA and the European Union met NATO officials at the Pentagon."))
    assert {"international-atomic-energy-agency", "european-union", "nato", "pentagon"} <= set(found)


def test_unknown_person_with_a_title_and_a_later_surname(extract):
    text = "Estonian Defence Minister Hanno Pevkur visited troops. Pevkur said more aid was needed."
    found = actors(extract(text))
    person = found["hanno-pevkur"]
    assert person.type == "person" and [m.text for m in person.mentions] == ["Hanno Pevkur", "Pevkur"]
    assert "estonia" in found


def test_any_ministry_title_is_not_part_of_the_name(extract):
    found = actors(
        extract("Energy Minister Herman Halushchenko wrote on Facebook. Halushchenko said repairs began.")
    )
    assert [m.text for m in found["herman-halushchenko"].mentions] == ["Herman Halushchenko", "Halushchenko"]


def test_person_in_apposition_with_a_reporting_verb(extract):
    text = "Dana Whitfield, a senior analyst at the Atlantic Council, said the buildup was real."
    assert actors(extract(text))["dana-whitfield"].name == "Dana Whitfield"


def test_role_phrase_resolves_to_the_person_named_with_that_title(extract):
    text = "Polish President Andrzej Duda met envoys. Later the Polish president said talks went well."
    duda = actors(extract(text))["andrzej-duda"]
    assert [m.text for m in duda.mentions] == ["Andrzej Duda", "president"]


def test_non_english_names_with_diacritics(extract):
    text = "Foreign Minister Radosław Sikorski and President Recep Tayyip Erdoğan met. Sikorski said so."
    found = actors(extract(text))
    assert [m.text for m in found["radoslaw-sikorski"].mentions] == ["Radosław Sikorski", "Sikorski"]
    assert "recep-tayyip-erdogan" in found


def test_a_name_that_is_also_a_place(extract):
    found = actors(extract("Jordan Peterson said the talk went well. Jordan closed its airspace."))
    assert found["jordan-peterson"].type == "person"
    assert [m.text for m in found["jordan"].mentions] == ["Jordan"]


def test_lowercase_words_and_sentence_openers_are_not_actors(extract):
    assert extract("However, the us versus them framing was said to fade.").actors == []


def test_a_title_wins_over_a_longer_capitalised_run(extract):
    found = actors(extract("U.S. Secretary of State Antony Blinken said the deal held."))
    assert [m.text for m in found["antony-blinken"].mentions] == ["Antony Blinken"]


def test_a_newsroom_met_with_a_reporting_verb_is_an_organization(extract):
    found = actors(extract("The Daily Ledger reported, citing officials, that talks stalled."))
    assert found["daily-ledger"].type == "organization"


def test_an_acronym_matches_only_in_capitals(extract):
    found = actors(extract("Party leader Kim Jong Un met the UN envoy. Let us go, he said."))
    assert [m.text for m in found["kim-jong-un"].mentions] == ["Kim Jong Un"]
    assert [m.text for m in found["united-nations"].mentions] == ["UN"]
    assert "united-states" not in found


def test_an_organisation_defined_with_its_acronym(extract):
    text = "The Coastal Defence League (CDL) blamed the Harbour Workers Union. The CDL said so."
    found = actors(extract(text))
    league = found["coastal-defence-league"]
    assert league.type == "organization"
    assert [m.text for m in league.mentions] == ["Coastal Defence League", "CDL", "CDL"]
    assert found["harbour-workers-union"].name == "Harbour Workers Union"


def test_an_institution_every_country_has_is_that_country_s(extract):
    found = actors(
        extract("Poland closed a crossing. The Foreign Ministry and the Polish Border Guard said nothing.")
    )
    assert found["poland-border-guard"].name == "Border Guard of Poland"
    assert [m.text for m in found["poland-ministry-of-foreign-affairs"].mentions] == ["Foreign Ministry"]
    assert [m.text for m in found["poland"].mentions] == ["Poland"]


def test_a_ministry_is_one_actor_whatever_its_word_order(extract):
    first = actors(extract("Chile’s Defence Ministry said the drill was over."))
    second = actors(extract("The Chilean Ministry of Defence denied it."))
    assert "chile-ministry-of-defence" in first and "chile-ministry-of-defence" in second
    assert [m.text for m in first["chile"].mentions] == ["Chile"]


def test_a_lowercase_ministry_belongs_to_the_country_the_article_is_about(extract):
    text = "Peru reported floods. Peru sent troops, and the interior ministry said roads were shut."
    assert [m.text for m in actors(extract(text))["peru-ministry-of-interior"].mentions] == [
        "interior ministry"
    ]


def test_an_agency_named_with_its_country_keeps_its_own_name(extract):
    text = "The U.S. Federal Aviation Administration grounded the jets."
    found = actors(extract(text))
    assert found["federal-aviation-administration"].type == "organization"
    assert "united-states" not in found


def test_a_demonym_shared_with_a_territory_means_the_country(extract):
    found = actors(extract("Indian troops and American officials met French envoys."))
    assert {"india", "united-states", "france"} <= set(found)
    assert len(found) == 3


def test_a_name_with_a_joined_particle(extract):
    found = actors(extract("General Omar Hassan al-Mahdi said the ceasefire held."))
    assert found["omar-hassan-al-mahdi"].mentions[0].text == "Omar Hassan al-Mahdi"


def test_gazetteer_entries_come_through_the_hook():
    manager = pluggy.PluginManager("claimscope")
    manager.add_hookspecs(hookspecs)
    manager.register(claimscope_rules.plugin)
    entries = []
    manager.hook.register_actor_aliases(register=entries.append)
    gazetteer = Gazetteer(entries)
    assert gazetteer.lookup("Türkiye").id == "turkey"
    assert gazetteer.lookup("Saudi").id == "saudi-arabia"
    assert {e.type for e in entries} == {"country", "organization", "group", "person"}
