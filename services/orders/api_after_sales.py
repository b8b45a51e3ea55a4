"""Admin HTTP API for after-sales actions: cancel (R17), refund (R16), and what was recorded
(cancellations seen, refunds, settlements). Thin: parse, call a use case, shape the answer."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from libs.common.limits import Sku, Text
from libs.common.runtime import ServiceRuntime
from services.orders import cancel_out, refund_out, repo, repo_cancellations, repo_settlements
from services.orders.api import _plain
from services.orders.domain import require_downloads
from services.orders.workers import Workers


class CancelRequest(BaseModel):
    lines: list[Sku] | None = Field(default=None, description="Seller SKUs to cancel; all lines when absent.")
    reason: Text = Field(min_length=1, description="Cancellation reason sent to TikTok.")


class RefundRequest(BaseModel):
    lines: list[Sku] | None = Field(default=None, description="Seller SKUs to refund; all lines when absent.")
    reason: Text = Field(default="Seller refund", min_length=1, description="Refund reason sent to TikTok.")


def build_after_sales_router(runtime: ServiceRuntime, workers: Workers) -> APIRouter:
    router = APIRouter()

    @router.post("/orders/{order_id}/cancel")
    async def cancel(order_id: str, body: CancelRequest) -> dict[str, Any]:
        return await cancel_out.cancel_order(
            runtime.db(), workers.api, order_id=order_id, seller_skus=body.lines, reason=body.reason,
            source=runtime.source, after_commit=runtime.wake_relay,
        )

    @router.post("/orders/{order_id}/refund")
    async def refund(order_id: str, body: RefundRequest) -> dict[str, Any]:
        return await refund_out.refund_order(
            runtime.db(), workers.api, order_id=order_id, seller_skus=body.lines, reason=body.reason,
            source=runtime.source, after_commit=runtime.wake_relay,
        )

    @router.get("/orders/{order_id}/cancellations")
    async def cancellations(order_id: str) -> dict[str, Any]:
        async with runtime.db().acquire() as conn:
            rows = await repo_cancellations.cancellations_of(conn, order_id)
        return {"cancellations": [_plain(dict(r)) for r in rows]}

    @router.post("/shops/{shop_id}/settlements/import")
    async def import_settlements(shop_id: str) -> dict[str, Any]:
        async with runtime.db().acquire() as conn:
            shop = require_downloads(await repo.get_shop(conn, shop_id), shop_id)
        return (await workers.import_settlements(runtime, shop, wait=True)).as_dict()

    @router.get("/orders/{order_id}/settlements")
    async def order_settlements(order_id: str) -> dict[str, Any]:
        async with runtime.db().acquire() as conn:
            rows = await repo_settlements.settlements_of(conn, order_id)
        return {"settlements": [_plain(dict(r)) for r in rows]}

    return router
