"""API host: after-sale eligibility, refund requests (``returns`` with type REFUND), ``returns/search``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from libs.sandbox import errors as e
from libs.sandbox.errors import SandboxError, envelope
from libs.sandbox.pagination import paginate
from libs.sandbox.refunds import RefundBook
from libs.sandbox.security import ShopCtx

router = APIRouter(tags=["api host"])


def book(request: Request) -> RefundBook:
    found: RefundBook = request.app.state.refunds
    return found


class ReturnBody(BaseModel):
    order_id: str = Field(min_length=1)
    order_line_item_ids: list[str] = Field(default_factory=list)
    return_type: str = "REFUND"
    return_reason: str = ""


class ReturnSearchBody(BaseModel):
    order_ids: list[str] = Field(default_factory=list)


@router.get("/return_refund/202309/orders/{order_id}/aftersale_eligibility")
async def aftersale_eligibility(order_id: str, ctx: ShopCtx, request: Request) -> JSONResponse:
    return envelope(book(request).eligibility(ctx.shop.id, order_id))


@router.post("/return_refund/202309/returns")
async def create_return(ctx: ShopCtx, request: Request, body: Annotated[ReturnBody, Body()]) -> JSONResponse:
    if body.return_type != "REFUND":
        raise SandboxError(e.PARAM_INVALID, "the sandbox supports return_type REFUND (refund only) only")
    record = book(request).request_refund(ctx.shop.id, body.order_id, body.order_line_item_ids, body.return_reason)
    return envelope({"return_id": record.id, "return_status": record.status,
                     "refund_amount": {"currency": record.currency, "refund_total": record.amount}})


@router.post("/return_refund/202309/returns/search")
async def search_returns(
    ctx: ShopCtx, request: Request, page_size: int = 50, page_token: str | None = None,
    body: Annotated[ReturnSearchBody | None, Body()] = None,
) -> JSONResponse:
    wanted = body or ReturnSearchBody()
    page, next_token, total = paginate(
        book(request).search(ctx.shop.id, wanted.order_ids), lambda r: (r.create_time, int(r.id)),
        page_size=page_size, page_token=page_token, filters=wanted.model_dump(),
    )
    return envelope({"return_orders": [r.to_wire() for r in page], "next_page_token": next_token,
                     "total_count": total})
