"""/v1/documents: ingest, read, replace, delete and list articles."""

from __future__ import annotations

import time
from functools import partial
from typing import Annotated

import anyio
from anyio import to_thread
from litestar import Response, delete, get, post, put
from litestar.connection import ASGIConnection
from litestar.datastructures import ResponseHeader
from litestar.handlers.base import BaseRouteHandler
from litestar.openapi import ResponseSpec
from litestar.params import Parameter

from claimscope.api.deps import Core, FetcherDep
from claimscope.core import Claimscope
from claimscope.errors import ClaimscopeError, InvalidInput, NotFound, UnsupportedMediaType
from claimscope.ingest.fetch import needs_fetch
from claimscope.models import (
    DOCUMENT_ID_PATTERN,
    BatchIn,
    BatchItem,
    BatchOut,
    Document,
    DocumentIn,
    DocumentPage,
)

# `data` stays without a JSONBody marker: with the marker Litestar decodes the body twice and
# invalid UTF-8 escapes as an unhandled UnicodeDecodeError; without it msgspec reports a 400.
DocumentIdPath = Annotated[str, Parameter(pattern=DOCUMENT_ID_PATTERN, description="The document id")]
Wait = Annotated[
    bool,
    Parameter(
        description="Answer once searches see the document (at most CLAIMSCOPE_INDEX_WAIT_MS); "
        "the Claimscope-Searchable header says whether they do"
    ),
]
SEARCHABLE = "Claimscope-Searchable"
SEARCHABLE_HEADER = ResponseHeader(
    name=SEARCHABLE,
    description="`true` when searches already see this version of the document, `false` while the index "
    "catches up (an index fed through the outbox: tantivy, Meilisearch)",
    documentation_only=True,
)


async def require_json(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    """Guard of the writes: the body must be declared JSON (checked before it is read).
    Async, so that Litestar does not hand it to a thread on every request."""
    media_type = connection.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != "application/json" and not media_type.endswith("+json"):
        raise UnsupportedMediaType(
            f"send the body as application/json (Content-Type was {media_type or 'missing'!r})",
            field="Content-Type",
        )


# A page with no article, a URL refused by the fetch policy, or a page that could not be had.
PAGE_PROBLEM = ResponseSpec(
    None, description="No article in the page, or the URL was refused or not fetched (`reason` says why)"
)


@post(
    "/v1/documents",
    operation_id="createDocument",
    status_code=201,
    tags=["documents"],
    guards=[require_json],
    responses={
        200: ResponseSpec(Document, description="This id already holds this text: the stored document"),
        422: PAGE_PROBLEM,
    },
    response_headers=[SEARCHABLE_HEADER],
)
async def create_document(
    data: DocumentIn, core: Core, fetcher: FetcherDep, wait: Wait = False
) -> Response[Document]:
    """Ingest an article: extract, store, index. 201 when new; 200 with the stored document
    when the same id already holds the same text; 409 when it holds other text.

    Send the article as `text`, or its web page as `html` (the article and its title, author,
    date and site name are extracted), or, when the server fetches URLs, only its `url`."""
    if needs_fetch(data):
        data = await fetcher.document(data)
    document, created = await to_thread.run_sync(core.ingest, data)
    return await _answer(core, document, created, wait)


@put(
    "/v1/documents/{document_id:str}",
    operation_id="replaceDocument",
    tags=["documents"],
    guards=[require_json],
    responses={
        201: ResponseSpec(Document, description="Created: no document had this id"),
        422: PAGE_PROBLEM,
    },
    response_headers=[SEARCHABLE_HEADER],
)
async def replace_document(
    document_id: DocumentIdPath, data: DocumentIn, core: Core, fetcher: FetcherDep, wait: Wait = False
) -> Response[Document]:
    """Create or replace the document with this id (201 when created, 200 when replaced or unchanged)."""
    if needs_fetch(data):
        data = await fetcher.document(data)
    document, created = await to_thread.run_sync(
        partial(core.ingest, data, replace=True, document_id=document_id)
    )
    return await _answer(core, document, created, wait)


async def _answer(core: Claimscope, document: Document, created: bool, wait: bool) -> Response[Document]:
    """The stored document, saying whether searches see it yet (after waiting for it, if asked)."""
    deadline = time.monotonic() + (core.settings.index_wait_ms / 1000 if wait else 0)
    while not (searchable := await to_thread.run_sync(core.index.searchable, document.id)):
        if time.monotonic() >= deadline:
            break
        await anyio.sleep(0.01)
    headers = {SEARCHABLE: "true" if searchable else "false"}
    return Response(document, status_code=201 if created else 200, headers=headers)


@get("/v1/documents/{document_id:str}", operation_id="getDocument", sync_to_thread=True, tags=["documents"])
def get_document(document_id: DocumentIdPath, core: Core) -> Document:
    """One stored document with its extraction and extractor runs."""
    document = core.store.get_document(document_id)
    if document is None:
        raise NotFound(f"no document with id {document_id!r}", id=document_id)
    return document


@delete(
    "/v1/documents/{document_id:str}", operation_id="deleteDocument", sync_to_thread=True, tags=["documents"]
)
def delete_document(document_id: DocumentIdPath, core: Core) -> None:
    """Remove a document from the store and the index."""
    if not core.store.delete_document(document_id):
        raise NotFound(f"no document with id {document_id!r}", id=document_id)


@get("/v1/documents", operation_id="listDocuments", sync_to_thread=True, tags=["documents"])
def list_documents(
    core: Core,
    cursor: Annotated[
        str | None, Parameter(max_length=200, description="`next_cursor` of the previous page")
    ] = None,
    limit: Annotated[int, Parameter(ge=1, le=1000)] = 50,
) -> DocumentPage:
    """Documents in ingestion order, without text or extraction; follow `next_cursor`."""
    items, next_cursor = core.store.list_documents(cursor, limit)
    return DocumentPage(items=items, next_cursor=next_cursor)


@post(
    "/v1/documents:batch",
    operation_id="batchDocuments",
    status_code=200,
    tags=["documents"],
    guards=[require_json],
)
async def batch_documents(data: BatchIn, core: Core, fetcher: FetcherDep) -> BatchOut:
    """Ingest many documents; each item reports its own status (201, 200, 409, 400, 422) and the
    document or the problem. One bad item does not stop the others. Items that bring only a
    `url` are fetched first, several at once."""
    if not data.documents:
        raise InvalidInput("`documents` is empty", field="documents")
    if len(data.documents) > core.settings.max_batch_size:
        raise InvalidInput(
            f"`documents` has {len(data.documents)} items; the limit is {core.settings.max_batch_size}",
            field="documents",
        )
    documents = await fetcher.documents(data.documents)
    return await to_thread.run_sync(partial(_ingest_all, core, data.documents, documents))


def _ingest_all(
    core: Claimscope, sent: list[DocumentIn], documents: list[DocumentIn | ClaimscopeError]
) -> BatchOut:
    # Extracted together: spread over the extraction workers, through `extract_many`.
    results = iter(core.ingest_many([d for d in documents if not isinstance(d, ClaimscopeError)]))
    items = []
    for incoming, document_or_error in zip(sent, documents, strict=True):
        result = document_or_error if isinstance(document_or_error, ClaimscopeError) else next(results)
        if isinstance(result, ClaimscopeError):
            problem = {
                "title": result.title,
                "status": result.status,
                "detail": result.detail,
                **result.extra,
            }
            items.append(BatchItem(status=result.status, id=incoming.id, error=problem))
        else:
            document, created = result
            items.append(BatchItem(status=201 if created else 200, id=document.id, document=document))
    return BatchOut(items=items)


ROUTES = [create_document, replace_document, get_document, delete_document, list_documents, batch_documents]
