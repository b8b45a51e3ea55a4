"""Product create and edit of the API host (signed, shop-scoped): ``POST /product/202309/products``,
``PUT /product/202309/products/{id}``, ``POST /product/202309/products/{id}/partial_edit``. All answer
``{product_id, skus[{id, seller_sku, sales_attributes[{id, name, value_id, value_name}]}], warnings[]}``;
edits fire webhook type 5 PRODUCT_STATUS_CHANGE (the listing is ``PENDING`` again). Rules and codes:
``product_listing.py`` (and ``listing_rules.py`` for the body checks). Wired by :func:`install` from
``app.py``, after ``product_routes.install``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, FastAPI, Request
from fastapi.responses import JSONResponse

from libs.sandbox.errors import envelope
from libs.sandbox.product_listing import ListingDesk
from libs.sandbox.product_model import Product
from libs.sandbox.security import ShopCtx
from libs.sandbox.state import SandboxState
from libs.sandbox.webhooks import WebhookPoster

router = APIRouter(tags=["api host"])


def install(app: FastAPI, state: SandboxState) -> None:
    app.state.listings = ListingDesk(app.state.products, state)
    app.include_router(router)


def _desk(request: Request) -> ListingDesk:
    desk: ListingDesk = request.app.state.listings
    return desk


def _announce(request: Request, product: Product, answer: dict[str, Any]) -> JSONResponse:
    poster: WebhookPoster = request.app.state.webhooks
    poster.publish(product.shop_id, "PRODUCT_STATUS_CHANGE", product.status_event())
    return envelope(answer)


@router.post("/product/202309/products")
async def create_product(ctx: ShopCtx, request: Request, body: Annotated[dict[str, Any], Body()]) -> JSONResponse:
    """The create body (see TIKTOK_API.md) plus ``save_mode`` (``LISTING`` | ``AS_DRAFT``) and
    ``idempotency_key``: a ``PENDING`` (or ``DRAFT``) listing; nothing at all if any check fails."""
    return envelope(_desk(request).create(ctx.shop, body))


@router.put("/product/202309/products/{product_id}")
async def replace_product(
    product_id: str, ctx: ShopCtx, request: Request, body: Annotated[dict[str, Any], Body()]
) -> JSONResponse:
    """The whole product again: fields left out are blanked (a kept SKU's price and inventory stay)."""
    return _announce(request, *_desk(request).replace(ctx.shop, product_id, body))


@router.post("/product/202309/products/{product_id}/partial_edit")
async def partial_edit_product(
    product_id: str, ctx: ShopCtx, request: Request, body: Annotated[dict[str, Any], Body()]
) -> JSONResponse:
    """The top-level fields sent replace the stored ones (``skus`` replaces the whole list)."""
    return _announce(request, *_desk(request).partial_edit(ctx.shop, product_id, body))
