"""spacy.speakers: the subject of the speech verb speaks; it refines quotes found before it."""

from __future__ import annotations

import msgspec
from claimscope import hookimpl
from claimscope.models import Actor, Extraction, Mention, Quote
from claimscope.pipeline.hookspecs import Found
from claimscope.testing import check_extractor, check_pipeline


def speakers(plugins, text):
    """(quote text, speaker id, speaker name, speaker text, cue) of every quote, through the pipeline."""
    extraction = check_pipeline(plugins, text)
    return [(q.text, q.speaker_id, q.speaker_name, q.speaker_text, q.cue) for q in extraction.quotes]


def test_the_subject_of_the_verb_the_quote_hangs_from_speaks(plugins):
    assert speakers(plugins, "“We will build it here,” said Marta Oliveira.") == [
        ("We will build it here,", "marta-oliveira", "Marta Oliveira", "Marta Oliveira", "said")
    ]


def test_an_attribution_before_the_quote(plugins):
    got = speakers(plugins, "Marta Oliveira visited Lisbon. Tomas Lindqvist told reporters: “It is ready.”")
    assert got[0][1:3] == ("tomas-lindqvist", "Tomas Lindqvist")


def test_a_pronoun_is_the_last_person_who_was_a_subject(plugins):
    text = (
        "Marta Oliveira visited the plant on Monday. Tomas Lindqvist was not there. "
        "“It is ready,” he said. Oliveira left early."
    )
    assert speakers(plugins, text)[0][1:4] == ("tomas-lindqvist", "Tomas Lindqvist", "he")


def test_a_subject_inside_a_quote_is_not_an_antecedent(plugins):
    text = "Marta Oliveira spoke first. “Tomas Lindqvist lied,” she said."
    assert speakers(plugins, text)[0][1] == "marta-oliveira"


def test_a_speaker_who_is_no_actor_is_kept_as_written(plugins):
    assert speakers(plugins, "“Prices will rise,” a senior economist said.") == [
        ("Prices will rise,", None, "a senior economist", "a senior economist", "said")
    ]


def test_a_quote_without_a_speech_verb_keeps_no_speaker(plugins):
    assert speakers(plugins, "The sign read “Closed for the winter season” all week.")[0][1:3] == (None, None)


def test_it_refines_quotes_with_no_speaker_and_proposes_another_actor_as_a_conflict(plugins):
    text = "“We will build it here,” said Marta Oliveira. “Never,” Tomas Lindqvist said. “Soon,” he said."
    oliveira = Actor(id="marta-oliveira", name="Marta Oliveira", type="person", mentions=[])
    lindqvist = Actor(id="tomas-lindqvist", name="Tomas Lindqvist", type="person", mentions=[])
    for actor in (oliveira, lindqvist):
        start = text.index(actor.name)
        actor.mentions.append(Mention(actor.name, start, start + len(actor.name)))

    def quote(words, speaker=None):
        start = text.index(words)
        q = Quote(text=words, start=start, end=start + len(words))
        return msgspec.structs.replace(q, speaker_id=speaker.id, speaker_name=speaker.name) if speaker else q

    agreed, disputed, empty = (
        quote("We will build it here,", oliveira),
        quote("Never,", oliveira),
        quote("Soon,"),
    )
    found = Found(gazetteer=plugins.gazetteer, actors=[oliveira, lindqvist], quotes=[agreed, disputed, empty])
    returned = check_extractor(plugins.extractor("spacy.speakers"), text, found=found).quotes
    assert [(q.start, q.speaker_id) for q in returned] == [
        (disputed.start, "tomas-lindqvist"),  # the service records a conflict, and keeps Oliveira
        (empty.start, "tomas-lindqvist"),
    ]
    assert found.quotes == [agreed, disputed, empty]  # what was found is not changed in place


def test_in_the_pipeline_a_disagreement_is_a_conflict_and_the_first_speaker_stays(start):
    class SaysOliveira:
        """Quotes, each said by Marta Oliveira: right for the first, wrong for the second."""

        name, version, produces, requires = "test.quotes", "1", ("quotes",), ("actors",)

        def extract(self, document, found):
            quotes = []
            for words in ("We will build it here,", "Never,"):
                start = document.text.index(words)
                quotes.append(
                    Quote(
                        words,
                        start,
                        start + len(words),
                        speaker_id="marta-oliveira",
                        speaker_name="Marta Oliveira",
                    )
                )
            return Extraction(quotes=quotes)

    class Plugin:
        @hookimpl
        def register_extractors(self, register):
            register(SaysOliveira())

    text = "“We will build it here,” said Marta Oliveira. “Never,” Tomas Lindqvist said."
    with start(Plugin()) as loaded:
        extraction = check_pipeline(loaded, text)
    assert [q.speaker_id for q in extraction.quotes] == ["marta-oliveira", "marta-oliveira"]
    [conflict] = extraction.conflicts
    assert conflict.extractor == "spacy.speakers" and conflict.start == text.index("Never")
    assert conflict.kept["speaker_id"] == "marta-oliveira"
    assert conflict.proposed["speaker_id"] == "tomas-lindqvist"
