import pytest
from claimscope.settings import SettingsError, load_settings


def test_defaults_bind_loopback_with_embedded_index():
    settings = load_settings({})
    assert settings.host == "127.0.0.1" and settings.port == 8000
    assert settings.index_backend == "tantivy" and str(settings.db_path) == "data/claimscope.db"


def test_values_come_from_claimscope_variables():
    settings = load_settings(
        {
            "CLAIMSCOPE_PORT": "9001",
            "CLAIMSCOPE_API_KEYS": "k1, k2",
            "CLAIMSCOPE_EXTRACTORS_DISABLED": "rules.claims",
        }
    )
    assert settings.port == 9001 and settings.api_keys == ["k1", "k2"]
    assert settings.extractors_disabled == ["rules.claims"]


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"CLAIMSCOPE_PORT": "eighty"}, "CLAIMSCOPE_PORT='eighty' is invalid"),
        ({"CLAIMSCOPE_PORT": "70000"}, "CLAIMSCOPE_PORT"),
        ({"CLAIMSCOPE_INDEX_BACKEND": "elastic"}, "CLAIMSCOPE_INDEX_BACKEND"),
        ({"CLAIMSCOPE_MAX_BODY_BYTES": "0"}, "CLAIMSCOPE_MAX_BODY_BYTES"),
        ({"CLAIMSCOPE_INDEX_BACKEND": "meilisearch"}, "CLAIMSCOPE_MEILI_URL is required"),
    ],
)
def test_bad_value_names_the_variable(env, message):
    with pytest.raises(SettingsError, match=message) as info:
        load_settings(env)
    assert "\n" not in str(info.value)
