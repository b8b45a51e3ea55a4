"""``GET /listings/categories?shop=&search=&sku=``: the category picker's results (an htmx part filled as the
operator types), leaves of the shop's downloaded tree with their full path and permission; with ``sku``
each has a button setting that product's ``category_id`` (``actions.set_category``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from libs.cli.arguments import segment

from ..client import ServiceError
from ..web import Operator, operator, page
from . import picker
from .views import product_href

router = APIRouter()
Signed = Annotated[Operator, Depends(operator)]


@router.get("/listings/categories", response_class=HTMLResponse)
async def category_results(request: Request, signed: Signed, shop: str = "", search: str = "",
                           sku: str = "") -> HTMLResponse:
    text = picker.cleaned_search(search)
    context: dict[str, Any] = {"shop": shop, "search": text, "sku": sku, "found": None, "error": None,
               "action": product_href(sku, suffix="/category") if sku else None}
    if not shop:
        context["error"] = "Error: choose a shop: each shop has its own category tree."
    elif text:
        try:
            body = await signed.api.get("catalog", f"/shops/{segment(shop)}/categories", search=text, leaf="true",
                                        limit=picker.SHOWN)
        except ServiceError as exc:
            context["error"] = f"Error: {exc.shown}"
        else:
            context["found"] = picker.categories(body)
    return page(request, "listings/parts/categories.html", **context)
