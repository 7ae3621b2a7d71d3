from itertools import pairwise

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st


def claims(extraction):
    return [(c.status, c.cue) for c in extraction.claims]


@pytest.mark.parametrize(
    ("sentence", "status", "cue"),
    [
        ("The Pentagon confirmed that 2,000 Iranian advisers arrived.", "confirmed", "confirmed"),
        ("Polish officials corroborated the account of 40 drones.", "confirmed", "corroborated"),
        ("Ukrainian intelligence estimates 5,000 troops crossed.", "reported", "estimates"),
        ("According to Estonian officials, 300 soldiers moved.", "reported", "According to"),
        (
            "The claim that Belarus sent 900 troops could not be independently verified.",
            "unconfirmed",
            "could not be independently verified",
        ),
        (
            "Neither the U.S. nor NATO has confirmed the presence of Iranian troops.",
            "unconfirmed",
            "Neither the U.S. nor NATO has confirmed",
        ),
        ("Iran’s involvement, if true, would change the war.", "unconfirmed", "if true"),
        ("Moscow denied sending 1,000 Syrian fighters.", "denied", "denied"),
        ("China is not providing weapons to Russia, Beijing insisted.", "denied", "is not providing"),
        ("Romanian officials disputed the Russian account of 12 strikes.", "disputed", "disputed"),
    ],
)
def test_status_and_cue(extract, sentence, status, cue):
    assert claims(extract(sentence)) == [(status, cue)]


def test_confirmation_by_one_party_and_denial_by_another(extract):
    text = "Seoul confirmed that 1,500 North Korean troops left. Pyongyang denied any deployment."
    got = extract(text).claims
    assert [(c.status, c.claimant_id) for c in got] == [
        ("confirmed", "south-korea"),
        ("denied", "north-korea"),
    ]


def test_a_denial_inside_a_quote_is_a_quote_not_a_claim(extract):
    text = "“We deny everything about the 300 soldiers,” the Belarusian envoy said."
    extraction = extract(text)
    assert extraction.claims == [] and extraction.quotes[0].text.startswith("We deny")


def test_these_reports_update_the_claim_before(extract):
    text = "Reports from Latvian intelligence say that 700 Russian sappers arrived. These reports have yet to be confirmed."
    assert [c.status for c in extract(text).claims][0] == "unconfirmed"


def test_a_later_unverified_note_does_not_turn_a_denial_into_unconfirmed(extract):
    text = "Moscow denied striking 40 Ukrainian power plants. The claims could not be independently verified."
    assert [c.status for c in extract(text).claims] == ["denied"]


def test_claim_carries_subjects_figures_date_and_claimant(extract):
    extraction = extract("On March 3, 2024, Finland said 400 Russian jets violated Estonian airspace.")
    claim = extraction.claims[0]
    assert claim.claimant_id == "finland"
    assert set(claim.subject_ids) == {"russia", "estonia"}
    assert [extraction.figures[i].value for i in claim.figure_refs] == [400]
    assert claim.date == "2024-03-03"


def test_opinion_and_questions_are_not_claims(extract):
    assert extract("Will NATO respond? Peace matters to everyone.").claims == []


@pytest.mark.parametrize(
    ("sentence", "status", "cue"),
    [
        (
            "Berlin declined to confirm that 60 German tanks had been delivered.",
            "unconfirmed",
            "declined to confirm",
        ),
        ("Tokyo did not confirm the arrival of 3 Chinese frigates.", "unconfirmed", "did not confirm"),
        ("Hungary rejected the allegations about 200 trucks.", "denied", "rejected the allegations"),
        (
            "Cuba rejected what it called the recruitment of 400 mercenaries.",
            "denied",
            "rejected what it called",
        ),
        ("The account of 30 strikes was contradicted by Polish officials.", "disputed", "contradicted"),
        (
            "Belarus has received 90 Russian jets and potentially nuclear warheads.",
            "unconfirmed",
            "potentially",
        ),
    ],
)
def test_more_status_cues(extract, sentence, status, cue):
    assert claims(extract(sentence)) == [(status, cue)]


def test_a_hedge_on_a_speculated_consequence_is_not_a_claim(extract):
    text = "The arrival of Iranian advisers would change the war, potentially drawing in Israel."
    assert extract(text).claims == []


def test_a_denial_in_the_partial_quote_a_claimant_reports(extract):
    text = "Hungary’s foreign minister, Peter Szijjarto, said Budapest “is not supplying weapons” to Kyiv."
    claim = extract(text).claims[0]
    assert (claim.status, claim.claimant_id) == ("denied", "peter-szijjarto")


def test_a_note_on_the_figure_updates_the_claim_and_is_not_one_itself(extract):
    got = extract(
        "Latvia said 200 Russian drones crossed its border. The figure could not be verified."
    ).claims
    assert [(c.status, c.claimant_id) for c in got] == [("unconfirmed", "latvia")]


def test_the_claimant_is_the_person_an_apposition_describes(extract):
    text = "Ana Costa, a senior fellow at the Royal United Services Institute, said Russia lost 300 tanks."
    assert extract(text).claims[0].claimant_name == "Ana Costa"


def test_the_reporting_source_is_the_claimant_not_the_one_who_could_not_verify(extract):
    text = "Ukraine said it downed 20 Iranian drones, a claim Reuters could not independently verify."
    claim = extract(text).claims[0]
    assert (claim.status, claim.claimant_id) == ("unconfirmed", "ukraine")


SENTENCES = st.sampled_from(
    [
        "Seoul confirmed that 1,500 North Korean troops left.",
        "Pyongyang denied it.",
        "“We deny everything,” the envoy said.",
        "Neither the U.S. nor NATO has confirmed the reports.",
        "According to Mr. Costa, Iran sent 40 drones on Oct. 3.",
        "These reports have yet to be confirmed.",
        "Will NATO respond?",
        "Analysts believe Russia lost 300 tanks,",
        "if true,",
        "\n",
    ]
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.lists(SENTENCES, min_size=1, max_size=12).map(" ".join))
def test_claim_spans_spell_the_text_and_do_not_overlap(extract, text):
    extraction = extract(text)
    for claim in extraction.claims:
        assert text[claim.start : claim.end] == claim.text
        assert claim.status in {"confirmed", "reported", "unconfirmed", "disputed", "denied"}
        assert all(claim.start <= extraction.figures[i].start < claim.end for i in claim.figure_refs)
    found = extraction.claims
    assert all(a.end <= b.start for a, b in pairwise(found))


def test_a_questioned_statement_is_a_claim_without_named_actors(extract):
    assert claims(extract("Some analysts questioned the official tally.")) == [("disputed", "questioned")]


def test_a_reported_sentence_ending_in_a_partial_quote_is_a_claim(extract):
    text = "A Turkish official told reporters the country was “not sending any troops to either side.”"
    [(status, cue)] = claims(extract(text))
    assert status == "denied" and cue.endswith("not sending")


def test_a_quotation_brought_in_by_a_colon_is_not_a_claim(extract):
    text = (
        "Speaking in Oslo, Norway’s prime minister said: “Our support for Ukraine has confirmed its worth.”"
    )
    assert extract(text).claims == []
