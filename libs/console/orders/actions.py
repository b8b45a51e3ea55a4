"""The orders actions, each a POST with the session's CSRF token: download a range (a job on the orders
service), ship by hand (fulfillment), cancel and refund (orders, sent on to TikTok). The rules and the
words are the CLI's (forms.py); a service's refusal is shown as it says it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from libs.cli.arguments import segment

from ..client import ServiceError
from ..web import Operator, acting_operator, back, failed, flash
from . import forms

router = APIRouter()
Acting = Annotated[Operator, Depends(acting_operator)]
Field = Annotated[str, Form()]
Fields = Annotated[list[str], Form()]


@router.post("/orders/download")
async def download(request: Request, signed: Acting, shop: Field = "", from_: Annotated[str, Form(alias="from")] = "",
                   to: Field = "") -> Response:
    try:
        body = forms.download_body(shop, from_, to)
    except forms.FormError as exc:
        flash(request, "error", f"Error: {exc}")
        return back(request, "/orders")
    try:
        job = await signed.api.post("orders", "/jobs/download", body)
    except ServiceError as exc:
        failed(request, exc)
        return back(request, "/orders")
    job_id, message = forms.download_started(job, body["shop"])
    flash(request, "ok", message)
    return RedirectResponse(f"/orders?job={segment(job_id)}", status_code=303)


async def _act(request: Request, here: str, build: Callable[[], dict[str, Any]],
               send: Callable[[dict[str, Any]], Awaitable[Any]], said: Callable[[Any], str]) -> Response:
    """An order action: the form's request (a FormError says what to change), sent; the answer in the CLI's
    words, or the service's refusal as it says it; then back to the order's page."""
    try:
        body = build()
    except forms.FormError as exc:
        flash(request, "error", f"Error: {exc}")
        return back(request, here)
    try:
        answer = await send(body)
    except ServiceError as exc:
        failed(request, exc)
    else:
        flash(request, "ok", said(answer))
    return back(request, here)


@router.post("/orders/{order_id}/ship")
async def ship(request: Request, order_id: str, signed: Acting, carrier: Field = "", tracking: Field = "",
               sku: Fields = [], qty: Fields = []) -> Response:  # noqa: B006 (FastAPI copies defaults)
    here = f"/orders/{segment(order_id)}"
    return await _act(request, here, lambda: forms.ship_body(carrier, tracking, sku, qty),
                      lambda body: signed.api.post("fulfillment", f"{here}/ship", body),
                      lambda shipment: forms.shipped(shipment, order_id))


async def _after_sale(request: Request, signed: Operator, action: str, order_id: str, reason: str,
                      skus: list[str]) -> Response:
    here = f"/orders/{segment(order_id)}"
    return await _act(request, here, lambda: forms.after_sale_body(action, reason, skus),
                      lambda body: signed.api.post("orders", f"{here}/{action}", body),
                      lambda answer: forms.after_sale_done(action, order_id, answer))


@router.post("/orders/{order_id}/cancel")
async def cancel(request: Request, order_id: str, signed: Acting, reason: Field = "", sku: Fields = []) -> Response:  # noqa: B006
    return await _after_sale(request, signed, "cancel", order_id, reason, sku)


@router.post("/orders/{order_id}/refund")
async def refund(request: Request, order_id: str, signed: Acting, reason: Field = "", sku: Fields = []) -> Response:  # noqa: B006
    return await _after_sale(request, signed, "refund", order_id, reason, sku)
