"""API host: ``/return_refund/202309/cancellations`` (seller cancel) and ``cancellations/search``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from libs.sandbox.cancellations import CancellationBook
from libs.sandbox.errors import envelope
from libs.sandbox.pagination import paginate
from libs.sandbox.security import ShopCtx

router = APIRouter(tags=["api host"])


def book(request: Request) -> CancellationBook:
    found: CancellationBook = request.app.state.cancellations
    return found


class CancelBody(BaseModel):
    order_id: str = Field(min_length=1)
    order_line_item_ids: list[str] = Field(default_factory=list)
    cancel_reason: str = ""


class CancelSearchBody(BaseModel):
    order_ids: list[str] = Field(default_factory=list)
    cancel_status: str | None = None


@router.post("/return_refund/202309/cancellations")
async def cancel_order(ctx: ShopCtx, request: Request, body: Annotated[CancelBody, Body()]) -> JSONResponse:
    record = book(request).seller_cancel(ctx.shop.id, body.order_id, body.order_line_item_ids, body.cancel_reason)
    return envelope({"cancel_id": record.id, "cancel_status": record.status})


@router.post("/return_refund/202309/cancellations/search")
async def search_cancellations(
    ctx: ShopCtx, request: Request, page_size: int = 50, page_token: str | None = None,
    body: Annotated[CancelSearchBody | None, Body()] = None,
) -> JSONResponse:
    wanted = body or CancelSearchBody()
    found = book(request).search(ctx.shop.id, wanted.order_ids, wanted.cancel_status)
    page, next_token, total = paginate(
        found, lambda r: (r.create_time, int(r.id)), page_size=page_size, page_token=page_token,
        filters=wanted.model_dump(),
    )
    return envelope({
        "cancellations": [r.to_wire() for r in page], "next_page_token": next_token, "total_count": total,
    })
