"""Product endpoints of the API host (search, get, inventory and price update) and the control
calls that create listings and show them as TikTok holds them. Rules and error codes: ``products.py``;
create and edit through the API: ``product_write_routes.py``.

Wired by :func:`install` from :func:`libs.sandbox.app.create_app`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Body, FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from libs.sandbox import errors as e
from libs.sandbox.errors import SandboxError, envelope
from libs.sandbox.pagination import paginate
from libs.sandbox.product_listing import ListingDesk
from libs.sandbox.product_model import ACTIVE, NewSku, Product
from libs.sandbox.products import ProductBook
from libs.sandbox.security import ShopCtx, get_state
from libs.sandbox.state import SandboxState

router = APIRouter(tags=["api host"])
control = APIRouter(prefix="/sandbox", tags=["sandbox control"])


def install(app: FastAPI, state: SandboxState) -> None:
    app.state.products = ProductBook(state.ids, state.clock, review_delay_s=state.settings.review_delay_s)
    app.include_router(router)
    app.include_router(control)


def _book(request: Request) -> ProductBook:
    book: ProductBook = request.app.state.products
    return book


class ProductSearchBody(BaseModel):
    status: str | None = None
    seller_skus: list[str] | None = None
    update_time_ge: int | None = None
    update_time_le: int | None = None


class SkusBody(BaseModel):
    skus: list[dict[str, Any]] = Field(default_factory=list)


@router.post("/product/202309/products/search")
async def search_products(
    ctx: ShopCtx,
    request: Request,
    page_size: int | None = None,
    page_token: str | None = None,
    body: Annotated[ProductSearchBody | None, Body()] = None,
) -> JSONResponse:
    filters = (body or ProductSearchBody()).model_dump(exclude_none=True)

    def key(product: Product) -> tuple[int, int]:
        return (product.create_time, int(product.id))

    page, next_token, total = paginate(
        _book(request).search(ctx.shop.id, filters), key,
        page_size=page_size, page_token=page_token, filters=filters,
    )
    return envelope({"products": [p.to_wire() for p in page], "next_page_token": next_token, "total_count": total})


@router.get("/product/202309/products/{product_id}")
async def get_product(product_id: str, ctx: ShopCtx, request: Request) -> JSONResponse:
    return envelope(_book(request).get(ctx.shop.id, product_id).to_wire())


@router.post("/product/202309/products/{product_id}/inventory/update")
async def update_inventory(
    product_id: str, ctx: ShopCtx, request: Request, body: Annotated[SkusBody, Body()]
) -> JSONResponse:
    return envelope({"errors": _book(request).update_inventory(ctx.shop, product_id, body.skus)})


@router.post("/product/202309/products/{product_id}/prices/update")
async def update_prices(
    product_id: str, ctx: ShopCtx, request: Request, body: Annotated[SkusBody, Body()]
) -> JSONResponse:
    return envelope({"errors": _book(request).update_prices(ctx.shop, product_id, body.skus)})


# --- control API ---------------------------------------------------------------------------
class NewSkuIn(BaseModel):
    seller_sku: str = Field(min_length=1)
    price: Decimal = Field(gt=0)
    quantity: int = Field(default=0, ge=0, le=99_999)


class NewProductIn(BaseModel):
    title: str = Field(min_length=1)
    skus: list[NewSkuIn] = Field(min_length=1)
    status: str = ACTIVE
    currency: str = "USD"


def _shop_or_404(request: Request, shop_id: str) -> Any:
    shop = get_state(request).shop(shop_id)
    if shop is None:
        raise SandboxError(
            e.PARAM_INVALID, f"shop {shop_id} does not exist; create one with POST /sandbox/sellers", http_status=404
        )
    return shop


@control.post("/shops/{shop_id}/products")
async def create_product(shop_id: str, body: NewProductIn, request: Request) -> JSONResponse:
    """A listing as if the seller created it in Seller Center (``ACTIVATE`` unless ``status`` says
    otherwise); each SKU's quantity goes to the shop's default warehouse."""
    product = _book(request).create(
        _shop_or_404(request, shop_id), title=body.title, status=body.status, currency=body.currency,
        skus=[NewSku(s.seller_sku, s.price, s.quantity) for s in body.skus],
    )
    return envelope({"product_id": product.id, "skus": [{"id": s.id, "seller_sku": s.seller_sku} for s in product.skus],
                     "product": product.to_wire()})


@control.get("/shops/{shop_id}/products")
async def shop_products(shop_id: str, request: Request) -> JSONResponse:
    """Listings as TikTok holds them: ``products[]`` in the GET shape (title, description, category, brand,
    images, SKUs with sales attributes, sku images, identifier, inventory and price, status, ``audit``,
    ``audit_failed_reasons``) plus ``shop_id``, ``suspended_reason``, ``idempotency_key``, ``review_due``
    and ``live`` (the last approved version, or null); the shop's ``listing_limit_per_day`` (the
    effective one) and ``listed_today``."""
    shop = _shop_or_404(request, shop_id)
    desk: ListingDesk = request.app.state.listings
    return envelope({"products": [p.control_wire() for p in _book(request).of_shop(shop_id)],
                     "listing_limit_per_day": desk.daily_limit(shop), "listed_today": desk.listed_today(shop)})


@control.get("/shops/{shop_id}/inventory")
async def shop_inventory(shop_id: str, request: Request) -> JSONResponse:
    """Every SKU's stock as TikTok holds it, lean enough to watch a thousand SKUs many times a second:
    ``skus[{product_id, sku_id, seller_sku, inventory{warehouse_id: quantity}, quantity, changed_at}]``,
    ``changed_at`` the sandbox clock (epoch seconds) when ``inventory/update`` last set it, or null."""
    _shop_or_404(request, shop_id)
    return envelope({"skus": [
        {"product_id": p.id, "sku_id": s.id, "seller_sku": s.seller_sku, "inventory": s.inventory,
         "quantity": sum(s.inventory.values()), "changed_at": s.inventory_changed_at}
        for p in _book(request).of_shop(shop_id) for s in p.skus]})
