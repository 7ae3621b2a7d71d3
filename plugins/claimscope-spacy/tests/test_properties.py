"""Whatever the text, every span the spaCy extractors return lies in it and spells what it says."""

from __future__ import annotations

from claimscope.testing import check_pipeline
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

WORDS = st.sampled_from(
    [
        "Marta Oliveira",
        "Oliveira",
        "Vantor Electronics",
        "Vantor",
        "Norwegian",
        "Oslo",
        "said",
        "told",
        "she",
        "he",
        "“",
        "”",
        "the",
        "'s",
        "’s",
        ",",
        ".",
        ":",
        "\n",
        "🙂",
        "Zoë",
        "ñ̃",
        "—",
        "(" * 70,
        "Mr.",
        "according to",
    ]
)
TEXTS = st.one_of(st.text(min_size=1, max_size=200), st.lists(WORDS, min_size=1, max_size=50).map(" ".join))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=TEXTS)
def test_spans_are_inside_the_text_and_match_it(plugins, text):
    extraction = check_pipeline(plugins, text)  # fails on any broken span or failed run
    for span in [m for a in extraction.actors for m in a.mentions] + extraction.quotes:
        assert 0 <= span.start <= span.end <= len(text)
        assert text[span.start : span.end] == span.text
    for quote in extraction.quotes:
        if quote.speaker_id is not None:
            assert quote.speaker_id in {a.id for a in extraction.actors}
