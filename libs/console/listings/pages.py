"""Listings: our products with their readiness per shop (every problem with its rule, R32-R37), posting and
TikTok's review (R38, R43, R45), thumbnails, search, a state filter and pages; a product's page with post and
update; the category picker (R30). A client of the catalog's and auth's admin APIs, like the CLI.

This module holds the list; the product page, the actions, the picker and the image proxy are routers of
their own, included here (the app includes this router)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from ..client import ServiceError
from ..web import Operator, operator, page
from . import actions, categories, media, product_pages, rows
from .fetch import shop_choices
from .views import STATES, product_href

router = APIRouter()
Signed = Annotated[Operator, Depends(operator)]


async def _listing(signed: Operator, shop: str | None, state: str | None, search: str | None,
                   offset: int) -> dict[str, Any]:
    choices, shops_error = await shop_choices(signed)
    asked = rows.chosen_filter(shop, state, search, offset)
    chosen = rows.chosen_filter(rows.default_shop(asked.shop, choices), state, search, offset)
    context: dict[str, Any] = {"filter": chosen, "shops": choices, "states": STATES, "shops_error": shops_error,
                               "rows": [], "pager": rows.pager(None, chosen.offset, 0), "error": None,
                               "row_href": lambda sku: product_href(sku, chosen.shop)}
    try:
        body = await signed.api.get("catalog", "/products", **rows.api_params(chosen))
    except ServiceError as exc:
        context["error"] = f"Error: {exc.shown}"
        return context
    found = rows.rows(body)
    context.update(rows=found, pager=rows.pager(body, chosen.offset, len(found)))
    return context


Offset = Annotated[int, Query(ge=0)]


@router.get("/listings", response_class=HTMLResponse)
async def listings_page(request: Request, signed: Signed, shop: str | None = None, state: str | None = None,
                        search: str | None = None, offset: Offset = 0) -> HTMLResponse:
    return page(request, "listings/list.html", **await _listing(signed, shop, state, search, offset))


@router.get("/listings/table", response_class=HTMLResponse)
async def listings_table(request: Request, signed: Signed, shop: str | None = None, state: str | None = None,
                         search: str | None = None, offset: Offset = 0) -> HTMLResponse:
    """The live part of the list: re-read every few seconds (states change as TikTok reviews)."""
    return page(request, "listings/parts/table.html",
                **await _listing(signed, shop, state, search, offset))


# Fixed paths (/listings/categories, /media/…) before /listings/{sku}.
router.include_router(categories.router)
router.include_router(media.router)
router.include_router(actions.router)
router.include_router(product_pages.router)
