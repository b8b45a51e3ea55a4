"""The orders actions, each a POST with the session's CSRF token: download a range (a job on the orders
service), ship by hand (fulfillment), cancel and refund (orders, sent on to TikTok). The rules and the
words are the CLI's (forms.py); a service's refusal is shown as it says it."""

from __future__ import annotations

from typing import Annotated

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


@router.post("/orders/{order_id}/ship")
async def ship(request: Request, order_id: str, signed: Acting, carrier: Field = "", tracking: Field = "",
               sku: Fields = [], qty: Fields = []) -> Response:  # noqa: B006 (FastAPI copies defaults)
    here = f"/orders/{segment(order_id)}"
    try:
        body = forms.ship_body(carrier, tracking, sku, qty)
    except forms.FormError as exc:
        flash(request, "error", f"Error: {exc}")
        return back(request, here)
    try:
        shipment = await signed.api.post("fulfillment", f"{here}/ship", body)
    except ServiceError as exc:
        failed(request, exc)
    else:
        flash(request, "ok", forms.shipped(shipment, order_id))
    return back(request, here)


async def _after_sale(request: Request, signed: Operator, action: str, order_id: str, reason: str,
                      skus: list[str]) -> Response:
    here = f"/orders/{segment(order_id)}"
    try:
        body = forms.after_sale_body(action, reason, skus)
    except forms.FormError as exc:
        flash(request, "error", f"Error: {exc}")
        return back(request, here)
    try:
        answer = await signed.api.post("orders", f"{here}/{action}", body)
    except ServiceError as exc:
        failed(request, exc)
    else:
        flash(request, "ok", forms.after_sale_done(action, order_id, answer))
    return back(request, here)


@router.post("/orders/{order_id}/cancel")
async def cancel(request: Request, order_id: str, signed: Acting, reason: Field = "", sku: Fields = []) -> Response:  # noqa: B006
    return await _after_sale(request, signed, "cancel", order_id, reason, sku)


@router.post("/orders/{order_id}/refund")
async def refund(request: Request, order_id: str, signed: Acting, reason: Field = "", sku: Fields = []) -> Response:  # noqa: B006
    return await _after_sale(request, signed, "refund", order_id, reason, sku)
