"""What the adapter relies on from Meilisearch itself, asked of tests/fake_meili/ and, when
MEILI_URL is set, of a real server: the stand-in may only imitate what a server does."""

from __future__ import annotations

import os
import uuid

import meilisearch
import meilisearch.errors
import pytest

from tests.fake_meili import FakeMeili


@pytest.fixture(params=["meilisearch-fake", "meilisearch"])
def client(request):
    if request.param == "meilisearch-fake":
        with FakeMeili() as fake:
            fake.task_seconds = 0.05  # long enough to see a task enqueued before it runs
            yield meilisearch.Client(fake.url, timeout=10)
        return
    url = os.environ.get("MEILI_URL")
    if not url:
        pytest.skip("MEILI_URL is not set: no Meilisearch server to test against")
    yield meilisearch.Client(url, os.environ.get("MEILI_KEY"), timeout=10)


@pytest.fixture
def index(client):
    uid = f"server_{uuid.uuid4().hex[:8]}"
    client.wait_for_task(client.create_index(uid, {"primaryKey": "key"}).task_uid)
    index = client.index(uid)
    task = index.update_settings(
        {"filterableAttributes": ["tag"], "faceting": {"sortFacetValuesBy": {"*": "count"}}}
    )
    client.wait_for_task(task.task_uid)
    documents = [
        {"key": "1", "tag": "Doc-A", "body": "alpha beta gamma"},
        {"key": "2", "tag": "doc-a", "body": "alpha"},
        {"key": "3", "tag": "back\\slash", "body": "Zelenskyy spoke"},
        {"key": "4", "tag": "doc-a", "body": "delta"},
    ]
    added = index.add_documents(documents)
    assert added.status == "enqueued"  # a task is queued first, and runs later
    assert client.wait_for_task(added.task_uid).status == "succeeded"
    yield index
    client.delete_index(uid)


def ids(answer):
    return sorted(hit["key"] for hit in answer["hits"])


def test_unknown_settings_are_refused(index):
    with pytest.raises(meilisearch.errors.MeilisearchApiError) as refused:
        index.update_settings({"facetSearch": False})  # a v1.12 setting
    assert refused.value.code == "bad_request"


def test_filter_strings_compare_without_case_and_keep_backslashes(index):
    assert ids(index.search("", {"filter": 'tag = "doc-a"'})) == ["1", "2", "4"]
    assert ids(index.search("", {"filter": 'tag IN ["DOC-A"]'})) == ["1", "2", "4"]
    assert ids(index.search("", {"filter": 'tag = "back\\slash"'})) == ["3"]
    assert ids(index.search("", {"filter": 'tag = "back\\\\slash"'})) == []


def test_defaults_the_adapter_changes(index):
    assert ids(index.search("alpha beta")) == ["1", "2"]  # matchingStrategy: last
    assert ids(index.search("alpha beta", {"matchingStrategy": "all"})) == ["1"]
    assert ids(index.search("alpah")) == ["1", "2"]  # typo tolerance
    assert ids(index.search("-alpha")) == ["3", "4"]  # negative words
    assert list(index.search("", {"facets": ["tag"]})["facetDistribution"]["tag"].values()) == [3, 1]
    hit = index.search("zelensk", {"attributesToRetrieve": ["key"], "attributesToHighlight": ["body"]})[
        "hits"
    ][0]
    assert set(hit) == {"key", "_formatted"}
    assert hit["_formatted"]["body"] == "<em>Zelensk</em>yy spoke"  # only the prefix


def test_a_deleted_index_is_not_found_and_a_document_addition_recreates_it(client, index):
    client.wait_for_task(client.delete_index(index.uid).task_uid)
    with pytest.raises(meilisearch.errors.MeilisearchApiError) as missing:
        index.get_settings()
    assert missing.value.code == "index_not_found"
    deletion = client.wait_for_task(index.delete_documents(filter='tag = "x"').task_uid)
    assert deletion.status == "failed" and deletion.error["code"] == "index_not_found"
    added = client.wait_for_task(
        index.add_documents([{"key": "9", "body": "new"}], primary_key="key").task_uid
    )
    assert added.status == "succeeded" and index.get_settings()["filterableAttributes"] == []
