"""The vocabulary is one table: a cue row brings its own prefilter, derived from its phrases."""

import pytest
from claimscope_rules.lexicon import STATUS_CUES, Cue


def status_of(extract, text):
    return [(c.status, c.cue) for c in extract(text).claims]


def test_a_cue_fires_on_every_phrase_of_its_row(extract):
    # "could not independently" was a phrase whose hand-kept prefilter lacked its words
    text = "The agency could not independently establish the toll given by Poland."
    assert status_of(extract, text) == [("unconfirmed", "could not independently")]


def test_the_prefilter_is_derived_from_the_phrases():
    cue = Cue("denied", (r"flatly (?:rejected|refused)", r"called (?:it )?baseless"))
    assert cue.keywords == {"flatly rejected", "flatly refused", "called baseless", "called it baseless"}
    assert cue.pattern.search("The ministry Flatly Rejected the claim.")


def test_a_cue_without_a_word_of_its_own_is_refused():
    with pytest.raises(ValueError, match="no literal word"):
        Cue("reported", (r"\w+, \w+",))


def test_every_shipped_cue_has_keywords_that_its_pattern_needs():
    for cue in STATUS_CUES:
        assert cue.keywords, cue
        assert all(k == k.lower() for k in cue.keywords)
