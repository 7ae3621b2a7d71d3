"""Whatever the text, every span the rules return lies in it and spells what it says."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

WORDS = st.sampled_from(
    [
        "Russia",
        "North Korean",
        "said",
        "“",
        "”",
        '"',
        "'",
        "’",
        "3,000",
        "two",
        "troops",
        "October 23",
        "confirmed",
        "denied",
        "Zelenskiy",
        "Foreign Minister",
        "Ana Costa",
        ",",
        ".",
        "\n",
        "up to",
        "$2bn",
        "he",
        "according to",
        "Tuesday",
        "ü",
        "—",
        "-",
        "2024",
        "1st",
        "of",
        "the",
    ]
)
TEXTS = st.one_of(st.text(min_size=1, max_size=300), st.lists(WORDS, min_size=1, max_size=60).map(" ".join))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=TEXTS)
def test_spans_are_inside_the_text_and_match_it(extract, text):
    extraction = extract(text)
    spans = [m for a in extraction.actors for m in a.mentions]
    spans += extraction.figures + extraction.dates + extraction.quotes + extraction.claims
    for span in spans:
        assert 0 <= span.start <= span.end <= len(text)
        assert text[span.start : span.end] == span.text
    for claim in extraction.claims:
        assert all(0 <= i < len(extraction.figures) for i in claim.figure_refs)
