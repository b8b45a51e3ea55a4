"""The product page's actions, each a POST with the session's CSRF token, answered as the CLI answers them
(``wording``), then back to the page: check readiness (R32-R37), post (R38, R39, R45), update (R38: partial,
full, inventory, price) and set the category picked in the shop's tree (R30)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from libs.cli.arguments import segment
from libs.cli.product_posting import UPDATE_MODES

from ..client import ServiceError
from ..web import Operator, acting_operator, back, failed, flash
from . import wording
from .views import product_href

router = APIRouter()
Acting = Annotated[Operator, Depends(acting_operator)]
Field = Annotated[str, Form()]


def _said(request: Request, messages: list[wording.Message]) -> None:
    for kind, text in messages:
        flash(request, kind, text)


def _no_shop(request: Request, sku: str) -> Response:
    flash(request, "error", "Error: choose a shop: readiness, posts and updates are per shop.")
    return back(request, product_href(sku))


@router.post("/listings/{sku:path}/check")
async def check(request: Request, sku: str, signed: Acting, shop: Field = "") -> Response:
    """``ttshop catalog products check SKU --shop SHOP``: the catalog stores the check with every problem; the
    page it goes back to lists them from the catalog's answer (``readiness.problem_details``)."""
    if not shop:
        return _no_shop(request, sku)
    await _recheck(request, signed, sku, shop)
    return back(request, product_href(sku, shop))


@router.post("/listings/{sku:path}/post")
async def post(request: Request, sku: str, signed: Acting, shop: Field = "") -> Response:
    """``ttshop catalog products post SKU --shop SHOP`` (a matrix parent posts its children with it)."""
    if not shop:
        return _no_shop(request, sku)
    try:
        body = await signed.api.post("catalog", f"/shops/{segment(shop)}/products/{segment(sku)}/post")
    except ServiceError as exc:
        failed(request, exc)
    else:
        _said(request, wording.posted(sku, shop, body))
    return back(request, product_href(sku, shop))


@router.post("/listings/{sku:path}/update")
async def update(request: Request, sku: str, signed: Acting, shop: Field = "", mode: Field = "") -> Response:
    """``ttshop catalog products update SKU --shop SHOP --partial|--full|--inventory|--price``."""
    if not shop:
        return _no_shop(request, sku)
    if mode not in UPDATE_MODES:
        _said(request, [wording.mode_refused(mode)])
        return back(request, product_href(sku, shop))
    try:
        body = await signed.api.post("catalog", f"/shops/{segment(shop)}/products/{segment(sku)}/update",
                                     {"mode": mode})
    except ServiceError as exc:
        failed(request, exc)
    else:
        _said(request, wording.updated(sku, shop, mode, body))
    return back(request, product_href(sku, shop))


@router.post("/listings/{sku:path}/category")
async def set_category(request: Request, sku: str, signed: Acting, shop: Field = "", category_id: Field = "",
                       path: Field = "") -> Response:
    """The category picked in the shop's tree becomes the record's ``category_id`` (PATCH: nothing else
    changes; the catalog re-checks the product's readiness on every shop)."""
    category_id = category_id.strip()
    if not category_id:
        flash(request, "error", "Error: pick a category (search the shop's tree, then \"use this category\").")
        return back(request, product_href(sku, shop))
    try:
        body = await signed.api.patch("catalog", f"/products/{segment(sku)}", {"category_id": category_id})
    except ServiceError as exc:
        failed(request, exc)
    else:
        _said(request, wording.category_set(sku, category_id, path.strip(), body))
        if shop:
            await _recheck(request, signed, sku, shop)
    return back(request, product_href(sku, shop))


async def _recheck(request: Request, signed: Operator, sku: str, shop: str) -> None:
    """Check the product on the shop and say what the check found. After a change the catalog has re-checked
    it already (and published ProductReady if it became ready): asking again answers that same check."""
    try:
        body = await signed.api.post("catalog", f"/products/{segment(sku)}/check", shop=shop)
    except ServiceError as exc:
        failed(request, exc)
    else:
        _said(request, wording.checked(sku, shop, body))
