"""API keys: writes need a write key when keys are configured; read keys only read."""

DOC = {"id": "k", "text": "Moscow spoke."}


def bearer(key):
    return {"Authorization": f"Bearer {key}"}


def test_without_keys_configured_everything_is_open(client):
    assert client.post("/v1/documents", json=DOC).status_code == 201


def test_write_needs_a_write_key(make_client):
    client = make_client(api_keys=["w-key"], read_keys=["r-key"])
    r = client.post("/v1/documents", json=DOC)
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
    assert r.headers["content-type"].startswith("application/problem+json")
    assert client.post("/v1/documents", json=DOC, headers=bearer("wrong")).status_code == 401
    assert client.post("/v1/documents", json=DOC, headers={"Authorization": "Basic w-key"}).status_code == 401
    r = client.post("/v1/documents", json=DOC, headers=bearer("r-key"))
    assert r.status_code == 403 and "only read" in r.json()["detail"]
    assert client.delete("/v1/documents/k", headers=bearer("r-key")).status_code == 403
    assert client.get("/v1/documents", headers=bearer("r-key")).json()["items"] == []
    assert client.post("/v1/documents", json=DOC, headers=bearer("w-key")).status_code == 201


def test_reads_open_unless_read_keys_are_set(make_client):
    writes_only = make_client(api_keys=["w-key"])
    assert writes_only.get("/v1/documents").status_code == 200
    guarded = make_client(api_keys=["w-key"], read_keys=["r-key"])
    assert guarded.get("/v1/documents").status_code == 401
    assert guarded.get("/v1/documents", headers=bearer("r-key")).status_code == 200
    assert guarded.get("/v1/documents", headers=bearer("w-key")).status_code == 200
    assert guarded.get("/health").status_code == 200 and guarded.get("/ready").status_code == 200


def test_cors_is_off_by_default_and_configurable(make_client):
    closed = make_client()
    assert (
        "access-control-allow-origin"
        not in closed.get("/health", headers={"Origin": "https://x.example"}).headers
    )
    open_ = make_client(cors_origins=["https://x.example"])
    r = open_.get("/health", headers={"Origin": "https://x.example"})
    assert r.headers["access-control-allow-origin"] == "https://x.example"


def test_read_keys_alone_leave_no_one_able_to_write(make_client, caplog):
    with caplog.at_level("WARNING", logger="claimscope.auth"):
        client = make_client(read_keys=["r-key"])
    [notice] = [r.getMessage() for r in caplog.records if r.name == "claimscope.auth"]
    assert "CLAIMSCOPE_API_KEYS" in notice and "no one can write" in notice
    for headers in ({}, bearer("r-key"), bearer("wrong")):
        r = client.post("/v1/documents", json=DOC, headers=headers)
        assert r.status_code == 403 and "no write keys" in r.json()["detail"]
        assert client.put("/v1/documents/k", json=DOC, headers=headers).status_code == 403
        assert client.delete("/v1/documents/k", headers=headers).status_code == 403
        assert (
            client.post("/v1/documents:batch", json={"documents": [DOC]}, headers=headers).status_code == 403
        )
    assert client.get("/v1/documents", headers=bearer("r-key")).json()["items"] == []
    assert client.get("/v1/documents").status_code == 401


def test_a_read_key_never_writes(make_client):
    client = make_client(api_keys=["w-key"], read_keys=["r-key"])
    assert client.post("/v1/documents", json=DOC, headers=bearer("w-key")).status_code == 201
    for method, url, body in [
        ("PUT", "/v1/documents/k", {"text": "Other."}),
        ("POST", "/v1/documents:batch", {"documents": [{"id": "k2", "text": "x"}]}),
        ("DELETE", "/v1/documents/k", None),
    ]:
        r = client.request(method, url, json=body, headers=bearer("r-key"))
        assert r.status_code == 403, (method, url)
    assert client.get("/v1/documents/k", headers=bearer("r-key")).json()["text"] == DOC["text"]
