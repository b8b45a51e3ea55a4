"""``GET /listings/{sku}?shop=``: one product on one shop — its images, record, variations, readiness problems
each with its rule, posting and TikTok's review with its reasons, and what happened to it; the live part
``GET /listings/{sku}/state?shop=`` re-reads its state there as TikTok reviews it."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from libs.cli.arguments import segment

from ..client import ServiceError
from ..web import Operator, operator, page
from . import product, rows
from .fetch import shop_choices
from .picker import SHOWN
from .views import product_href
from .wording import MODES

router = APIRouter()
Signed = Annotated[Operator, Depends(operator)]
#: Children of a matrix looked for at once (TikTok allows 100 variations per product, R39).
MAX_VARIATIONS = 200


async def _product(signed: Operator, sku: str, shop: str) -> dict[str, Any]:
    """The product on the shop, or the catalog's error (the page still renders, saying it)."""
    try:
        body: dict[str, Any] = await signed.api.get("catalog", f"/products/{segment(sku)}")
    except ServiceError as exc:
        return {"item": None, "error": f"Error: {exc.shown}"}
    item = product.product(body, shop)
    return {"item": item, "history": product.history(item), "error": None}


async def _variations(signed: Operator, item: product.Product, shop: str) -> tuple[list[product.Variation],
                                                                                   str | None]:
    """The matrix children of this product: the records whose parent SKU is this one (a child has none)."""
    if item.parent_sku:
        return [], None
    try:
        listed = await signed.api.get("catalog", "/products", parent=item.sku, shop=shop or None,
                                      limit=MAX_VARIATIONS)
    except ServiceError as exc:
        return [], f"Error: {exc.shown}"
    return product.variations(item.sku, listed, item.posting, shop), None


@router.get("/listings/{sku:path}/state", response_class=HTMLResponse)
async def product_state(request: Request, sku: str, signed: Signed, shop: str = "") -> HTMLResponse:
    context = await _product(signed, sku, shop)
    return page(request, "listings/parts/state.html", sku=sku, shop=shop, href=product_href,
                state_href=product_href(sku, shop, "/state"), **context)


@router.get("/listings/{sku:path}", response_class=HTMLResponse)
async def product_page(request: Request, sku: str, signed: Signed, shop: str = "") -> Response:
    if not sku:
        return RedirectResponse("/listings", status_code=303)
    choices, shops_error = await shop_choices(signed)
    shop = rows.default_shop(shop.strip(), choices)
    context = await _product(signed, sku, shop)
    variations: list[product.Variation] = []
    variations_error = None
    if context["item"] is not None:
        variations, variations_error = await _variations(signed, context["item"], shop)
    return page(request, "listings/detail.html", sku=sku, shop=shop, shops=choices, shops_error=shops_error,
                variations=variations, variations_error=variations_error, modes=MODES, shown=SHOWN,
                here=product_href(sku, shop), state_href=product_href(sku, shop, "/state"),
                action=lambda name: product_href(sku, suffix=f"/{name}"), href=product_href,
                picker_href="/listings/categories?" + urlencode({"shop": shop, "sku": sku}), **context)
