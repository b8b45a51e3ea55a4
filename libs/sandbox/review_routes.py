"""Control calls for TikTok's side of a listing's life: review outcome, suspension or freeze, and the
shop's daily listing limit. Status changes fire webhook type 5 PRODUCT_STATUS_CHANGE
(``data{product_id, status, suspended_reason, update_time}``) through the shared ``WebhookPoster`` to
the shop's address for that event (``PUT /event/202309/webhooks``) or the process-wide one.
Rules and codes: ``products.py``. Wired by :func:`install` from ``app.py``.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from libs.sandbox import errors as e
from libs.sandbox.errors import SandboxError, envelope
from libs.sandbox.product_model import Product
from libs.sandbox.products import ProductBook
from libs.sandbox.security import get_state
from libs.sandbox.state import SandboxState
from libs.sandbox.webhooks import WebhookPoster

control = APIRouter(prefix="/sandbox", tags=["sandbox control"])
DEFAULT_REJECTION = "The listing does not meet TikTok Shop's product listing policy"


def install(app: FastAPI, state: SandboxState) -> None:
    app.include_router(control)


class AuditReasonIn(BaseModel):
    position: str = Field(default="product", min_length=1)
    reasons: list[str] = Field(min_length=1)
    suggestions: list[str] = Field(default_factory=list)


class ReviewIn(BaseModel):
    decision: Literal["approve", "reject"]
    #: plain strings (grouped under position "product") or {position, reasons[], suggestions[]}
    reasons: list[str | AuditReasonIn] = Field(default_factory=list)


class PlatformStatusIn(BaseModel):
    status: str
    reason: str | None = None


class ListingLimitIn(BaseModel):
    per_day: int = Field(ge=0, le=1_000_000)


def _book(request: Request) -> ProductBook:
    book: ProductBook = request.app.state.products
    return book


def _announce(request: Request, product: Product) -> JSONResponse:
    poster: WebhookPoster = request.app.state.webhooks
    poster.publish(product.shop_id, "PRODUCT_STATUS_CHANGE", product.status_event())
    return envelope(product.to_wire() | {"shop_id": product.shop_id, "suspended_reason": product.suspended_reason})


def _audit_reasons(items: list[str | AuditReasonIn]) -> list[dict[str, Any]]:
    plain = [r for r in items if isinstance(r, str)]
    grouped = [r.model_dump() for r in items if isinstance(r, AuditReasonIn)]
    if plain:
        grouped.insert(0, {"position": "product", "reasons": plain, "suggestions": []})
    return grouped or [{"position": "product", "reasons": [DEFAULT_REJECTION], "suggestions": []}]


@control.post("/products/{product_id}/review")
async def review(product_id: str, body: ReviewIn, request: Request) -> JSONResponse:
    """Ends the review of a ``PENDING`` listing now: ``ACTIVATE``, or ``FAILED`` with
    ``audit_failed_reasons``; fires PRODUCT_STATUS_CHANGE."""
    if body.decision == "approve" and body.reasons:
        raise SandboxError(e.PARAM_INVALID, "reasons only go with decision reject", http_status=400)
    product = _book(request).review(
        product_id, approve=body.decision == "approve", reasons=_audit_reasons(body.reasons)
    )
    return _announce(request, product)


@control.post("/products/{product_id}/status")
async def impose_status(product_id: str, body: PlatformStatusIn, request: Request) -> JSONResponse:
    """TikTok suspends (``PLATFORM_DEACTIVATED``) or freezes (``FREEZE``) a listing with ``reason``;
    fires PRODUCT_STATUS_CHANGE with it as ``suspended_reason``."""
    return _announce(request, _book(request).impose(product_id, body.status, body.reason))


@control.post("/shops/{shop_id}/listing-limit")
async def listing_limit(shop_id: str, body: ListingLimitIn, request: Request) -> JSONResponse:
    """How many products the shop may create per UTC day through the API (12052093 past it)."""
    shop = get_state(request).shop(shop_id)
    if shop is None:
        raise SandboxError(e.PARAM_INVALID, f"shop {shop_id} does not exist", http_status=404)
    shop.listing_limit_per_day = body.per_day
    return envelope({"shop_id": shop.id, "listing_limit_per_day": shop.listing_limit_per_day})
