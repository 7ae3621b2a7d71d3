def quotes(extraction):
    return [(q.text, q.speaker_id, q.speaker_name, q.speaker_text, q.cue) for q in extraction.quotes]


def test_speaker_after_the_quote_and_pronoun_resolution(extract):
    text = "Finnish President Alexander Stubb spoke in Helsinki. “We stand ready,” he said. “Always.”"
    got = quotes(extract(text))
    assert got[0] == ("We stand ready,", "alexander-stubb", "Alexander Stubb", "he", "said")
    assert got[1][1] == "alexander-stubb"
    assert extract(text).quotes[0].group == extract(text).quotes[1].group


def test_speaker_before_the_quote_with_a_colon(extract):
    got = quotes(extract("Kaja Kallas wrote on X: “Sanctions will tighten.”"))
    assert got == [("Sanctions will tighten.", "kaja-kallas", "Kaja Kallas", "Kaja Kallas", "wrote")]


def test_said_then_an_indefinite_speaker_is_kept_without_id(extract):
    got = quotes(extract("“The lines are holding,” said a military spokesman."))
    assert got == [("The lines are holding,", None, "a military spokesman", "a military spokesman", "said")]


def test_straight_marks_and_nested_single_quotes(extract):
    got = quotes(extract("Antony Blinken said: \"They called it a 'special operation' for years.\""))
    assert got[0][0] == "They called it a 'special operation' for years."
    assert got[0][1] == "antony-blinken"
    assert len(got) == 1


def test_partial_quote_inside_a_sentence_takes_the_sentence_speaker(extract):
    text = "“Time is short,” Keir Starmer said, adding that allies need “real deterrence.”"
    assert [q[1] for q in quotes(extract(text))] == ["keir-starmer", "keir-starmer"]


def test_possessive_speech_noun(extract):
    got = quotes(extract("Emmanuel Macron’s warning that “Europe could die” echoed."))
    assert got[0][:2] == ("Europe could die", "emmanuel-macron")


def test_quote_without_attribution_keeps_a_null_speaker(extract):
    got = quotes(extract("The banner read: “No surrender, no retreat.” Crowds gathered."))
    assert got == [("No surrender, no retreat.", None, None, None, None)]


def test_scare_quotes_are_not_quotations(extract):
    assert extract("Another 30 drones were “lost” to jamming, the air force said.").quotes == []


def test_quote_over_two_paragraphs_is_linked(extract):
    text = "Olaf Scholz said: “We will help.\n“We will also rebuild,” he added."
    extraction = extract(text)
    assert [q.text for q in extraction.quotes] == ["We will help.", "We will also rebuild,"]
    assert extraction.quotes[0].group == extraction.quotes[1].group
    assert {q.speaker_id for q in extraction.quotes} == {"olaf-scholz"}


def test_apostrophes_are_not_quotes(extract):
    assert extract("It isn’t Russia’s fight, officials’ notes said.").quotes == []


def test_a_country_can_be_the_speaker_of_its_sentence(extract):
    got = quotes(extract("Iran on Tuesday denied the reports, calling them “baseless Western propaganda.”"))
    assert got[0][:2] == ("baseless Western propaganda.", "iran")
