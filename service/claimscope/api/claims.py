"""/v1/claims/{id}: one claim with the document it comes from."""

from __future__ import annotations

from typing import Annotated

from litestar import get
from litestar.params import Parameter

from claimscope.api.deps import Core
from claimscope.errors import NotFound
from claimscope.models import ClaimDetail
from claimscope.store.sqlite import summary_of


@get("/v1/claims/{claim_id:str}", operation_id="getClaim", sync_to_thread=True, tags=["claims"])
def get_claim(core: Core, claim_id: Annotated[str, Parameter(max_length=220)]) -> ClaimDetail:
    """A claim by id ("{document_id}:c{n}", as in search hits and documents), with its document
    and the id of its story."""
    document_id, _, _ = claim_id.rpartition(":c")
    document = core.store.get_document(document_id) if document_id else None
    claim = next((c for c in document.extraction.claims if c.id == claim_id), None) if document else None
    if claim is None or document is None:
        raise NotFound(f"no claim with id {claim_id!r}", id=claim_id)
    return ClaimDetail(claim=claim, document=summary_of(document), story_id=core.story_of(claim_id))


ROUTES = [get_claim]
