"""The documents API through Litestar's test client: happy paths, idempotency, every bad input."""

from __future__ import annotations

import base64

import pytest

ARTICLE = {
    "id": "a-1",
    "title": "Troops",
    "text": "Pyongyang sent 12000 soldiers to Russia. Moscow confirmed the North Korean deployment.",
    "source": "wire",
    "published_at": "2024-10-23",
    "metadata": {"section": "world"},
}


def post(client, body, **headers):
    return client.post("/v1/documents", json=body, headers=headers or None)


def test_post_stores_document_with_extraction_and_runs(client):
    r = post(client, ARTICLE)
    assert r.status_code == 201
    doc = r.json()
    assert (
        doc["id"] == "a-1" and doc["published_at"] == "2024-10-23" and doc["metadata"] == {"section": "world"}
    )
    actors = {a["id"]: a for a in doc["extraction"]["actors"]}
    assert set(actors) == {"north-korea", "russia"}
    assert {m["text"] for m in actors["north-korea"]["mentions"]} == {"Pyongyang", "North Korean"}
    assert [f["value"] for f in doc["extraction"]["figures"]] == [12000]
    assert [c["status"] for c in doc["extraction"]["claims"]] == ["reported", "confirmed"]
    assert [c["id"] for c in doc["extraction"]["claims"]] == ["a-1:c0", "a-1:c1"]
    assert [run["name"] for run in doc["extraction"]["runs"]] == [
        "fixture.figures",
        "fixture.actors",
        "fixture.claims",
    ]
    assert all(run["ok"] and run["ms"] >= 0 for run in doc["extraction"]["runs"])
    assert client.get("/v1/documents/a-1").json() == doc


def test_same_id_same_text_is_idempotent(client):
    first = post(client, ARTICLE).json()
    again = post(client, ARTICLE)
    assert again.status_code == 200
    assert again.json() == first


def test_same_id_other_text_conflicts_on_post_and_replaces_on_put(client):
    post(client, ARTICLE)
    changed = {**ARTICLE, "text": "Moscow denied it."}
    r = post(client, changed)
    assert r.status_code == 409
    assert r.headers["content-type"].startswith("application/problem+json")
    assert "PUT" in r.json()["detail"]
    assert client.get("/v1/documents/a-1").json()["text"] == ARTICLE["text"]

    r = client.put("/v1/documents/a-1", json={k: v for k, v in changed.items() if k != "id"})
    assert r.status_code == 200
    assert client.get("/v1/documents/a-1").json()["text"] == "Moscow denied it."
    assert client.put("/v1/documents/new-one", json={"text": "Fresh text."}).status_code == 201


def test_document_without_id_gets_one_from_its_text(client):
    a = post(client, {"text": "Same words."}).json()
    b = post(client, {"text": "Same words."})
    assert b.status_code == 200 and b.json()["id"] == a["id"]
    assert a["id"].startswith("sha256:")


def test_delete_and_not_found(client):
    post(client, ARTICLE)
    assert client.delete("/v1/documents/a-1").status_code == 204
    r = client.get("/v1/documents/a-1")
    assert r.status_code == 404 and r.json()["status"] == 404
    assert client.delete("/v1/documents/a-1").status_code == 404


def test_list_follows_cursor_through_every_document(client):
    ids = [f"doc-{n}" for n in range(5)]
    for doc_id in ids:
        post(client, {"id": doc_id, "text": f"Text number {doc_id}."})
    seen, cursor = [], None
    while True:
        page = client.get(
            "/v1/documents", params={"limit": 2, **({"cursor": cursor} if cursor else {})}
        ).json()
        seen += [item["id"] for item in page["items"]]
        assert all("text" not in item for item in page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ids


def test_batch_reports_each_item(client):
    post(client, ARTICLE)
    r = client.post(
        "/v1/documents:batch",
        json={
            "documents": [
                {"id": "b-1", "text": "Moscow spoke."},
                ARTICLE,
                {**ARTICLE, "text": "Other."},
                {"text": "  "},
            ]
        },
    )
    assert r.status_code == 200
    assert [item["status"] for item in r.json()["items"]] == [201, 200, 409, 400]
    assert client.get("/v1/documents/b-1").status_code == 200


def test_extractors_endpoint_lists_run_order(client):
    infos = client.get("/v1/extractors").json()
    assert [(i["name"], i["order"]) for i in infos] == [
        ("fixture.figures", 0),
        ("fixture.actors", 1),
        ("fixture.claims", 2),
    ]
    assert infos[2]["requires"] == ["actors", "figures"] and infos[2]["plugin"]


BAD_INPUTS = [
    # (description, raw body, content type, expected status, text the problem must name)
    ("invalid JSON", b'{"text": ', "application/json", 400, "JSON"),
    ("wrong content type", b'{"text": "x"}', "text/plain", 415, "application/json"),
    ("wrong content type and no JSON", b"just words", "text/plain", 415, "application/json"),
    ("form body", b"text=hello", "application/x-www-form-urlencoded", 415, "application/json"),
    ("missing content type", b'{"text": "x"}', None, 415, "Content-Type"),
    ("missing text", b'{"title": "x"}', "application/json", 400, "text"),
    ("empty text", b'{"text": ""}', "application/json", 400, "text"),
    ("blank text", b'{"text": "   "}', "application/json", 400, "text"),
    ("text not a string", b'{"text": 5}', "application/json", 400, "text"),
    ("title wrong type", b'{"text": "x", "title": []}', "application/json", 400, "title"),
    ("metadata not an object", b'{"text": "x", "metadata": "m"}', "application/json", 400, "metadata"),
    ("unknown field", b'{"text": "x", "colour": "red"}', "application/json", 400, "colour"),
    ("body is an array", b"[1, 2]", "application/json", 400, "object"),
    (
        "published_at not a date",
        b'{"text": "x", "published_at": "last tuesday"}',
        "application/json",
        400,
        "published_at",
    ),
    (
        "published_at impossible",
        b'{"text": "x", "published_at": "2024-02-30"}',
        "application/json",
        400,
        "published_at",
    ),
    ("id with a slash", b'{"text": "x", "id": "a/b"}', "application/json", 400, "id"),
    ("id with a space", b'{"text": "x", "id": "a b"}', "application/json", 400, "id"),
    ("id too long", b'{"text": "x", "id": "' + b"a" * 201 + b'"}', "application/json", 400, "id"),
    ("NUL in text", b'{"text": "a\\u0000b"}', "application/json", 400, "text"),
    ("invalid UTF-8", b'{"text": "\xff\xfe"}', "application/json", 400, "JSON"),
]


@pytest.mark.parametrize(
    ("case", "body", "content_type", "status", "names"), BAD_INPUTS, ids=[c[0] for c in BAD_INPUTS]
)
def test_bad_input_is_a_problem_naming_it_and_changes_nothing(
    client, case, body, content_type, status, names
):
    post(client, ARTICLE)
    before = client.get("/v1/documents").json()
    headers = {"content-type": content_type} if content_type else {}
    r = client.post("/v1/documents", content=body, headers=headers)
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    problem = r.json()
    assert problem["status"] == status and problem["title"] and problem["instance"] == "/v1/documents"
    assert names.lower() in problem["detail"].lower()
    assert client.get("/v1/documents").json() == before


def test_body_over_the_limit_is_413(make_client):
    client = make_client(max_body_bytes=1000)
    r = client.post("/v1/documents", json={"text": "x" * 2000})
    assert r.status_code == 413
    assert r.headers["content-type"].startswith("application/problem+json")
    assert client.get("/v1/documents").json()["items"] == []


def test_bad_query_parameters(client):
    assert client.get("/v1/documents", params={"limit": 0}).status_code == 400
    assert client.get("/v1/documents", params={"limit": "many"}).status_code == 400
    r = client.get("/v1/documents", params={"cursor": "not-a-cursor"})
    assert r.status_code == 400 and "cursor" in r.json()["detail"]
    assert client.get("/v1/documents/a%2Fb").status_code in (400, 404)


def cursor_of(raw: str) -> str:
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "raw", ["seq:99999999999999999999", f"seq:{2**63}", "seq:-5", "seq: 5", "seq:1_0", "seq:\u0661", "seq:"]
)
def test_forged_cursor_is_a_400_naming_it(client, raw):
    post(client, ARTICLE)
    r = client.get("/v1/documents", params={"cursor": cursor_of(raw)})
    assert r.status_code == 400 and r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["field"] == "cursor" and "cursor" in r.json()["detail"]


def test_largest_cursor_is_just_past_the_end(client):
    post(client, ARTICLE)
    page = client.get("/v1/documents", params={"cursor": cursor_of(f"seq:{2**63 - 1}")}).json()
    assert page == {"items": [], "next_cursor": None}


def test_put_id_mismatch(client):
    r = client.put("/v1/documents/x-1", json={"id": "x-2", "text": "t"})
    assert r.status_code == 400 and "id" in r.json()["detail"]


def test_health_ready_metrics(client):
    post(client, ARTICLE)
    assert client.get("/health").json() == {"status": "ok"}
    ready = client.get("/ready").json()
    assert ready["status"] == "ready" and ready["store"]["documents"] == 1
    metrics = client.get("/metrics").text
    assert 'claimscope_http_requests_total{method="POST",route="/v1/documents",status="201"} 1.0' in metrics
    assert 'claimscope_extractor_milliseconds_count{extractor="fixture.actors"} 1.0' in metrics


def test_request_id_is_echoed(client):
    r = client.get("/v1/documents/missing", headers={"X-Request-ID": "abc-123"})
    assert r.headers["x-request-id"] == "abc-123"
    assert r.json()["request_id"] == "abc-123"
    assert len(client.get("/health").headers["x-request-id"]) == 32


MORE_BAD_INPUTS = [
    ("null body", b"null", 400, "object"),
    ("empty body", b"", 400, "empty"),
    ("null text", b'{"text": null}', 400, "text"),
    ("control character", b'{"text": "bell \\u0007 here"}', 400, "U+0007"),
    ("control character in title", b'{"text": "x", "title": "a\\u001bb"}', 400, "title"),
    ("lone surrogate", b'{"text": "\\ud800"}', 400, "JSON"),
    (
        "metadata nested too deep",
        b'{"text": "x", "metadata": ' + b'{"a": ' * 40 + b"1" + b"}" * 41,
        400,
        "metadata",
    ),
    (
        "JSON nested absurdly deep",
        b'{"text": "x", "metadata": ' + b'{"a": ' * 5000 + b"1" + b"}" * 5001,
        400,
        "nested",
    ),
    ("huge title", b'{"text": "x", "title": "' + b"t" * 5000 + b'"}', 400, "title"),
    ("text over the limit", b'{"text": "' + b"w " * 300_000 + b'"}', 400, "text"),
]


@pytest.mark.parametrize(
    ("case", "body", "status", "names"), MORE_BAD_INPUTS, ids=[c[0] for c in MORE_BAD_INPUTS]
)
def test_more_bad_input(client, case, body, status, names):
    r = client.post("/v1/documents", content=body, headers={"content-type": "application/json"})
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert names.lower() in r.json()["detail"].lower()
    assert client.get("/v1/documents").json()["items"] == []


def test_tabs_and_newlines_are_fine(client):
    assert client.post("/v1/documents", json={"text": "Para one.\n\n\tPara two.\r\n"}).status_code == 201


def test_unsupported_method_is_405_with_allow(client):
    r = client.request("TRACE", "/v1/documents")
    assert r.status_code == 405
    assert {"GET", "POST"} <= {m.strip() for m in r.headers["allow"].split(",")}
    assert r.headers["content-type"].startswith("application/problem+json")


def test_unknown_routes_carry_the_request_id_and_are_counted_under_one_label(client):
    for path in ("/nope", "/v1/nope/deeper", "/v1/documents/a/b"):
        r = client.get(path, headers={"X-Request-ID": "lost-1"})
        assert r.status_code == 404 and r.headers["x-request-id"] == "lost-1"
        assert r.headers["content-type"].startswith("application/problem+json")
        assert r.json()["request_id"] == "lost-1"
    assert len(client.get("/nope").headers["x-request-id"]) == 32
    r = client.request("TRACE", "/v1/documents", headers={"X-Request-ID": "trace-1"})
    assert r.status_code == 405 and r.headers["x-request-id"] == "trace-1"
    metrics = client.get("/metrics").text
    assert 'claimscope_http_requests_total{method="GET",route="unmatched",status="404"} 4.0' in metrics
    assert "/nope" not in metrics and "deeper" not in metrics
