"""Stories through the HTTP API: one claim followed across articles, from reported to confirmed."""

from __future__ import annotations

import jsonschema
import pytest

from tests.fixture_plugins import Newsroom

# Three articles on one claim: Kyiv reports it, Pyongyang denies it, Washington confirms it
# with another number. Each also says one unrelated thing.
REPORTED = {
    "id": "kyiv-wire",
    "source": "Kyiv Wire",
    "url": "https://kyiv.example/1",
    "title": "Troops said to arrive",
    "published_at": "2024-10-10",
    "text": "Ukraine said 3,000 North Korean soldiers arrived in Russia. Ukraine opened a new school.",
}
DENIED = {
    "id": "seoul-daily",
    "source": "Daily",
    "url": "https://daily.example/2",
    "published_at": "2024-10-12",
    "text": "North Korea denied that 3,000 North Korean soldiers arrived in Russia. Pyongyang held a parade.",
}
CONFIRMED = {
    "id": "dc-post",
    "source": "Post",
    "url": "https://post.example/3",
    "published_at": "2024-10-20",
    "text": "The United States confirmed that 12,000 North Korean soldiers arrived in Russia.",
}


@pytest.fixture
def client(make_client):
    return make_client(Newsroom())


def post(client, *docs):
    for doc in docs:
        assert client.post("/v1/documents", json=doc).status_code == 201


def story_of(client, claim_id):
    r = client.get(f"/v1/claims/{claim_id}")
    assert r.status_code == 200, r.text
    return r.json()["story_id"]


def get_story(client, story_id, **params):
    r = client.get(f"/v1/stories/{story_id}", params=params)
    assert r.status_code == 200, r.text
    return r.json()


def test_one_claim_across_three_articles_is_one_story_in_date_order(client):
    post(client, CONFIRMED, REPORTED, DENIED)  # arrival order is not date order
    story_id = story_of(client, "kyiv-wire:c0")
    assert story_of(client, "seoul-daily:c0") == story_of(client, "dc-post:c0") == story_id
    story = get_story(client, story_id)
    assert [e["claim_id"] for e in story["timeline"]] == ["kyiv-wire:c0", "seoul-daily:c0", "dc-post:c0"]
    assert [(e["status"], e["date"], e["date_basis"]) for e in story["timeline"]] == [
        ("reported", "2024-10-10", "published_at"),
        ("denied", "2024-10-12", "published_at"),
        ("confirmed", "2024-10-20", "published_at"),
    ]
    assert (
        story["timeline"][0]["source"] == "Kyiv Wire" and story["timeline"][1]["claimant_id"] == "north-korea"
    )
    assert story["claim_count"] == story["timeline_total"] == 3 and story["document_count"] == 3
    assert story["current"]["status"] == story["status"] == "confirmed"
    assert story["current"]["rule"] == "latest-decision" and story["current"]["claim_ids"] == ["dc-post:c0"]
    assert "United States" in story["current"]["reason"]
    # the unrelated sentences are stories of their own
    assert story_of(client, "kyiv-wire:c1") not in {story_id, story_of(client, "seoul-daily:c1")}


def test_figure_conflicts_name_the_numbers_and_their_sources(client):
    post(client, REPORTED, DENIED, CONFIRMED)
    story = get_story(client, story_of(client, "dc-post:c0"))
    [conflict] = story["conflicts"]
    assert conflict["unit"] == "soldier"
    assert [(f["value"], f["source"]) for f in conflict["figures"]] == [
        (3000, "Kyiv Wire"),
        (3000, "Daily"),
        (12000, "Post"),
    ]


def test_deleting_a_document_updates_its_story(client):
    post(client, REPORTED, DENIED, CONFIRMED)
    story_id = story_of(client, "dc-post:c0")
    assert client.delete("/v1/documents/dc-post").status_code == 204
    story = get_story(client, story_id)
    assert [e["claim_id"] for e in story["timeline"]] == ["kyiv-wire:c0", "seoul-daily:c0"]
    assert story["current"]["status"] == "denied" and story["conflicts"] == []
    listed = client.get("/v1/stories", params={"status": "denied"}).json()
    assert [h["id"] for h in listed["hits"]] == [story_id] and listed["hits"][0]["item"]["claim_count"] == 2
    for document_id in ("seoul-daily", "kyiv-wire"):
        assert client.delete(f"/v1/documents/{document_id}").status_code == 204
    assert client.get(f"/v1/stories/{story_id}").status_code == 404
    assert client.get("/v1/stories").json()["total"] == 0  # the school's and the parade's went with theirs


def test_replacing_a_document_moves_its_claims(client):
    post(client, REPORTED, DENIED)
    story_id = story_of(client, "kyiv-wire:c0")
    replaced = {**DENIED, "text": "North Korea held a parade."}
    assert client.put("/v1/documents/seoul-daily", json=replaced).status_code == 200
    story = get_story(client, story_id)
    assert [e["claim_id"] for e in story["timeline"]] == ["kyiv-wire:c0"]
    assert story["current"] == {**story["current"], "status": "reported", "rule": "latest-report"}
    assert story_of(client, "seoul-daily:c0") != story_id


def test_authorities_contradicting_each_other_make_it_disputed(client):
    post(client, REPORTED, {**DENIED, "published_at": "2024-10-20"}, CONFIRMED)
    story = get_story(client, story_of(client, "dc-post:c0"))
    assert story["current"]["status"] == "disputed" and story["current"]["rule"] == "contradiction"
    assert sorted(story["current"]["claim_ids"]) == ["dc-post:c0", "seoul-daily:c0"]


def test_without_dates_the_timeline_follows_ingestion(client):
    undated = [{k: v for k, v in d.items() if k != "published_at"} for d in (REPORTED, DENIED, CONFIRMED)]
    post(client, *undated)
    story = get_story(client, story_of(client, "kyiv-wire:c0"), limit=2)
    assert [e["date_basis"] for e in story["timeline"]] == ["ingested_at", "ingested_at"]
    assert [e["status"] for e in story["timeline"]] == ["reported", "denied"] and story["timeline_total"] == 3
    assert story["current"]["status"] == "confirmed"


def test_list_filters_and_facets_as_for_claims(client):
    post(client, REPORTED, DENIED, CONFIRMED)
    story_id = story_of(client, "dc-post:c0")
    r = client.get(
        "/v1/stories",
        params={
            "actor": "Pyongyang",
            "source": ["Post"],
            "month": "2024-10",
            "facets": "status,source,claimant",
        },
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert [h["id"] for h in body["hits"]] == [story_id]
    assert body["facets"]["source"] == {"Daily": 1, "Kyiv Wire": 1, "Post": 1}
    assert body["facets"]["claimant"] == {"north-korea": 1, "ukraine": 1, "united-states": 1}
    assert client.get("/v1/stories", params={"q": "parade"}).json()["total"] == 1
    page = client.get("/v1/stories", params={"limit": 2, "offset": 2, "sort": "date"}).json()
    assert page["total"] == 3 and len(page["hits"]) == 1
    for bad in ({"month": "October"}, {"facets": "speaker"}, {"status": "true"}, {"sort": "size"}):
        r = client.get("/v1/stories", params=bad)
        assert r.status_code == 400 and r.headers["content-type"].startswith("application/problem+json")
        assert r.json()["field"] == next(iter(bad)) if "facets" not in bad else "facets"


def test_unknown_story_is_a_problem(client):
    for path in ("/v1/stories/st-000000000000", "/v1/stories/st-000000000000/claimreview"):
        r = client.get(path)
        assert r.status_code == 404 and r.headers["content-type"].startswith("application/problem+json")


# The schema.org ClaimReview shape (https://schema.org/ClaimReview, and the properties search
# engines require of it): the claim reviewed, a rating with the verdict's name, the reviewed
# Claim with its authors and the works it appeared in.
THING = {"type": "object", "required": ["@type", "name"], "properties": {"name": {"type": "string"}}}
CREATIVE_WORK = {
    "type": "object",
    "required": ["@type"],
    "properties": {
        "@type": {"const": "CreativeWork"},
        "url": {"type": "string", "format": "uri", "pattern": "^https?://"},
        "headline": {"type": "string"},
        "datePublished": {"type": "string"},
        "publisher": {**THING, "properties": {"@type": {"const": "Organization"}}},
    },
}
CLAIM_REVIEW = {
    "type": "object",
    "required": [
        "@context",
        "@type",
        "claimReviewed",
        "reviewRating",
        "itemReviewed",
        "author",
        "datePublished",
    ],
    "properties": {
        "@context": {"const": "https://schema.org"},
        "@type": {"const": "ClaimReview"},
        "url": {"type": "string", "pattern": "^https?://"},
        "claimReviewed": {"type": "string", "minLength": 1},
        "datePublished": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"},
        "author": THING,
        "reviewRating": {
            "type": "object",
            "required": ["@type", "alternateName"],
            "properties": {
                "@type": {"const": "Rating"},
                "alternateName": {"enum": ["confirmed", "reported", "unconfirmed", "disputed", "denied"]},
                "ratingExplanation": {"type": "string"},
            },
        },
        "itemReviewed": {
            "type": "object",
            "required": ["@type", "author", "appearance"],
            "properties": {
                "@type": {"const": "Claim"},
                "author": {
                    "type": "array",
                    "items": {**THING, "properties": {"@type": {"enum": ["Person", "Organization"]}}},
                },
                "appearance": {"type": "array", "minItems": 1, "items": CREATIVE_WORK},
                "firstAppearance": CREATIVE_WORK,
                "datePublished": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"},
            },
        },
    },
}


def test_claimreview_is_schema_org_json_ld(client):
    post(client, REPORTED, DENIED, CONFIRMED, {**CONFIRMED, "id": "dc-post-copy", "source": "Mirror"})
    story_id = story_of(client, "dc-post:c0")
    r = client.get(f"/v1/stories/{story_id}/claimreview")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/ld+json")
    review = r.json()
    jsonschema.validate(review, CLAIM_REVIEW, format_checker=jsonschema.FormatChecker())
    assert review["reviewRating"]["alternateName"] == "confirmed"
    assert review["claimReviewed"] == REPORTED["text"].split(". ")[0] + "."
    urls = [a["url"] for a in review["itemReviewed"]["appearance"]]
    assert urls == [REPORTED["url"], DENIED["url"], CONFIRMED["url"]]  # one per URL, in date order
    assert review["itemReviewed"]["firstAppearance"]["url"] == REPORTED["url"]
    authors = {a["name"]: a["@type"] for a in review["itemReviewed"]["author"]}
    assert authors == {
        "Ukraine": "Organization",
        "North Korea": "Organization",
        "United States": "Organization",
    }
    assert review["url"].endswith(f"/v1/stories/{story_id}/claimreview")


def test_a_person_claimant_is_a_person(client):
    post(client, {"id": "p1", "text": "Olena Marchuk confirmed that 40 Russian tanks arrived in Ukraine."})
    review = client.get(f"/v1/stories/{story_of(client, 'p1:c0')}/claimreview").json()
    assert review["itemReviewed"]["author"] == [{"@type": "Person", "name": "Olena Marchuk"}]
    assert review["itemReviewed"]["appearance"] == [
        {"@type": "CreativeWork", "identifier": "p1", "headline": "p1"}
    ]


def test_stories_can_be_turned_off(make_client):
    client = make_client(Newsroom(), stories=False)
    post(client, REPORTED)
    assert story_of(client, "kyiv-wire:c0") is None
    assert client.get("/v1/stories").json()["total"] == 0
