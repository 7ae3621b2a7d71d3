"""The OpenAPI document: every operation has an operationId named for what it does, so clients
generated from it read well (`get_document`, not `v1_documents_document_id_asynccallable`)."""

from __future__ import annotations

import re

from litestar.routes import HTTPRoute

EXPECTED = {
    ("post", "/v1/documents"): "createDocument",
    ("get", "/v1/documents"): "listDocuments",
    ("get", "/v1/documents/{document_id}"): "getDocument",
    ("put", "/v1/documents/{document_id}"): "replaceDocument",
    ("delete", "/v1/documents/{document_id}"): "deleteDocument",
    ("post", "/v1/documents:batch"): "batchDocuments",
    ("get", "/v1/search/documents"): "searchDocuments",
    ("get", "/v1/search/claims"): "searchClaims",
    ("get", "/v1/search/quotes"): "searchQuotes",
    ("get", "/v1/actors"): "listActors",
    ("get", "/v1/actors/{actor_id}"): "getActor",
    ("get", "/v1/claims/{claim_id}"): "getClaim",
    ("get", "/v1/extractors"): "listExtractors",
    ("get", "/health"): "getHealth",
    ("get", "/ready"): "getReadiness",
}
METHODS = {"get", "put", "post", "delete", "patch"}
LOWER_CAMEL = re.compile(r"[a-z]+(?:[A-Z][a-z]*)+")


def operations(schema):
    return {
        (method, path): operation.get("operationId")
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    }


def test_operations_are_named_for_what_they_do(client):
    named = operations(client.get("/schema/openapi.json").json())
    assert {key: named.get(key) for key in EXPECTED} == EXPECTED
    assert all(name and LOWER_CAMEL.fullmatch(name) for name in named.values()), named
    assert len(set(named.values())) == len(named), "operationIds must be unique"


def test_every_route_in_the_schema_names_its_operation(client):
    """A route added later without `operation_id=` fails here (Litestar's made-up default
    would otherwise slip into the document and every generated client)."""
    unnamed = [
        f"{sorted(handler.http_methods)} {route.path}"
        for route in client.app.routes
        if isinstance(route, HTTPRoute)
        for handler in route.route_handlers
        if handler.resolve_include_in_schema() and not handler.operation_id
    ]
    assert unnamed == []
