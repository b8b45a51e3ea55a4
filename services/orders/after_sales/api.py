"""Admin HTTP API for after-sales: cancel (R17), refund (R16), and the cancellations seen on TikTok (R18).
Thin: parse, call a use case, shape the answer."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from libs.common.limits import Sku, Text
from services.orders.after_sales import repo, service
from services.orders.api import plain, runtime_of, tiktok_of

router = APIRouter(tags=["after-sales"])


class CancelRequest(BaseModel):
    lines: list[Sku] | None = Field(default=None, description="Seller SKUs to cancel; all lines when absent.")
    reason: Text = Field(min_length=1, description="Cancellation reason sent to TikTok.")


class RefundRequest(BaseModel):
    lines: list[Sku] | None = Field(default=None, description="Seller SKUs to refund; all lines when absent.")
    reason: Text = Field(default="Seller refund", min_length=1, description="Refund reason sent to TikTok.")


@router.post("/orders/{order_id}/cancel")
async def cancel(request: Request, order_id: str, body: CancelRequest) -> dict[str, Any]:
    rt = runtime_of(request)
    return await service.cancel_order(rt.db(), tiktok_of(request), order_id=order_id, seller_skus=body.lines,
                                      reason=body.reason, source=rt.source, after_commit=rt.wake_relay)


@router.post("/orders/{order_id}/refund")
async def refund(request: Request, order_id: str, body: RefundRequest) -> dict[str, Any]:
    rt = runtime_of(request)
    return await service.refund_order(rt.db(), tiktok_of(request), order_id=order_id, seller_skus=body.lines,
                                      reason=body.reason, source=rt.source, after_commit=rt.wake_relay)


@router.get("/orders/{order_id}/cancellations")
async def cancellations(request: Request, order_id: str) -> dict[str, Any]:
    async with runtime_of(request).db().acquire() as conn:
        rows = await repo.cancellations_of(conn, order_id)
    return {"cancellations": [plain(dict(r)) for r in rows]}


@router.get("/orders/{order_id}/refunds")
async def refunds(request: Request, order_id: str) -> dict[str, Any]:
    """The refunds sent to TikTok for this order (R16), with TikTok's return id and status at the time."""
    async with runtime_of(request).db().acquire() as conn:
        rows = await repo.refunds_of(conn, order_id)
    return {"refunds": [plain(dict(r)) for r in rows]}
