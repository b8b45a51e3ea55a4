"""Shops: status in plain words, token expiry, switches as toggles (R5), test settings, refresh tokens,
connect with an auth code, and the audit trail (R1-R5). Calls the auth service's admin API."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response

from libs.cli.arguments import segment

from ..client import ServiceError
from ..web import Operator, acting_operator, back, failed, flash, operator, page
from . import views

router = APIRouter()
Signed = Annotated[Operator, Depends(operator)]
Acting = Annotated[Operator, Depends(acting_operator)]


async def _shops(signed: Operator) -> tuple[list[views.ShopRow], str | None]:
    try:
        return views.shop_rows(await signed.api.get("auth", "/shops")), None
    except ServiceError as exc:
        return [], f"Error: {exc.shown}"


@router.get("/shops", response_class=HTMLResponse)
async def shops_page(request: Request, signed: Signed) -> HTMLResponse:
    rows, error = await _shops(signed)
    return page(request, "shops/list.html", shops=rows, error=error, switch_labels=views.SWITCHES)


@router.get("/shops/table", response_class=HTMLResponse)
async def shops_table(request: Request, signed: Signed) -> HTMLResponse:
    rows, error = await _shops(signed)
    return page(request, "shops/parts/table.html", shops=rows, error=error)


@router.get("/shops/{shop}", response_class=HTMLResponse)
async def shop_page(request: Request, shop: str, signed: Signed) -> HTMLResponse:
    try:
        body: dict[str, Any] = await signed.api.get("auth", f"/shops/{segment(shop)}")
    except ServiceError as exc:
        return page(request, "shops/detail.html", shop=None, error=f"Error: {exc.shown}", shop_id=shop)
    return page(request, "shops/detail.html", shop=views.shop_row(body), raw=body, audit=views.audit(body),
                error=None, shop_id=shop)


@router.post("/shops/connect")
async def connect(request: Request, signed: Acting, auth_code: Annotated[str, Form()] = "",
                  tax_id: Annotated[str, Form()] = "", name: Annotated[str, Form()] = "") -> Response:
    if not auth_code.strip():
        flash(request, "error", "Error: give the auth code TikTok showed after the seller authorised the app.")
        return back(request, "/shops")
    try:
        body = await signed.api.post("auth", "/shops/connect", {"auth_code": auth_code.strip(),
                                                                "tax_id": tax_id.strip() or None,
                                                                "name": name.strip() or None})
    except ServiceError as exc:
        failed(request, exc)
        return back(request, "/shops")
    connected: list[Any] = (body.get("shops") or []) if isinstance(body, dict) and "shops" in body else [body]
    for shop in connected:
        flash(request, "ok", f"Connected shop {shop.get('shop_id')} {shop.get('name') or ''}".strip())
    return back(request, "/shops")


async def _change(request: Request, signed: Operator, shop: str, make: Callable[[], dict[str, Any]],
                  said: Callable[[dict[str, Any]], str]) -> Response:
    """PATCH the shop's settings with what ``make`` builds from the form (a ValueError says what is wrong)."""
    try:
        change = make()
    except ValueError as exc:
        flash(request, "error", f"Error: {exc}")
        return back(request, f"/shops/{segment(shop)}")
    try:
        await signed.api.patch("auth", f"/shops/{segment(shop)}/settings", change)
    except ServiceError as exc:
        failed(request, exc)
    else:
        flash(request, "ok", said(change))
    return back(request, f"/shops/{segment(shop)}")


@router.post("/shops/{shop}/switch")
async def toggle(request: Request, shop: str, signed: Acting, name: Annotated[str, Form()] = "",
                 value: Annotated[str, Form()] = "") -> Response:
    return await _change(request, signed, shop, lambda: views.switch_change(name, value),
                         lambda _: f"{dict(views.SWITCHES)[name]} turned {value} for shop {shop}")


@router.post("/shops/{shop}/settings")
async def change_settings(request: Request, shop: str, signed: Acting,
                          inventory_buffer: Annotated[str, Form()] = "",
                          out_of_stock_threshold: Annotated[str, Form()] = "",
                          identifier_priority: Annotated[str, Form()] = "") -> Response:
    """R46's buffer and threshold and the identifier order: the fields given, checked as the CLI checks them."""
    return await _change(
        request, signed, shop,
        lambda: views.settings_change(inventory_buffer, out_of_stock_threshold, identifier_priority),
        lambda change: f"Updated {', '.join(sorted(change))} of shop {shop}")


@router.post("/shops/{shop}/test")
async def test_settings(request: Request, shop: str, signed: Acting) -> Response:
    try:
        body = await signed.api.post("auth", f"/shops/{segment(shop)}/test")
    except ServiceError as exc:
        failed(request, exc)
        return back(request, f"/shops/{segment(shop)}")
    problems = body.get("problems") or [] if isinstance(body, dict) else []
    if not problems:
        flash(request, "ok", f"shop {shop}: test settings OK")
    for problem in problems:
        text = problem.get("message", problem) if isinstance(problem, dict) else problem
        code = problem.get("code") if isinstance(problem, dict) else None
        flash(request, "error", f"shop {shop}: {text}" + (f" ({code})" if code else ""))
    return back(request, f"/shops/{segment(shop)}")


@router.post("/shops/{shop}/refresh")
async def refresh_tokens(request: Request, shop: str, signed: Acting) -> Response:
    try:
        body = await signed.api.post("auth", f"/shops/{segment(shop)}/refresh")
    except ServiceError as exc:
        failed(request, exc)
    else:
        expires = body.get("access_token_expires_at", "(not reported)") if isinstance(body, dict) else ""
        flash(request, "ok", f"Refreshed tokens of shop {shop}; access token expires {expires}")
    return back(request, f"/shops/{segment(shop)}")
