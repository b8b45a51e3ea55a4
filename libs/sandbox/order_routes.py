"""API host, order and fulfillment endpoints."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from libs.sandbox import errors as e
from libs.sandbox.errors import SandboxError, envelope
from libs.sandbox.models import Order
from libs.sandbox.order_wire import order_to_wire, tracking_wire
from libs.sandbox.orders import STATUSES
from libs.sandbox.pagination import paginate
from libs.sandbox.security import ShopCtx

router = APIRouter(tags=["api host"])
MAX_GET_IDS = 50
SORT_FIELDS = ("create_time", "update_time")


class OrderSearchBody(BaseModel):
    order_status: str | None = None
    create_time_ge: int | None = None
    create_time_lt: int | None = None
    update_time_ge: int | None = None
    update_time_lt: int | None = None


@router.post("/order/202309/orders/search")
async def search_orders(
    ctx: ShopCtx,
    page_size: int | None = None,
    page_token: str | None = None,
    sort_field: str = "create_time",
    sort_order: str = "ASC",
    body: Annotated[OrderSearchBody | None, Body()] = None,
) -> JSONResponse:
    filters = (body or OrderSearchBody()).model_dump(exclude_none=True)
    if sort_field not in SORT_FIELDS:
        raise SandboxError(e.PARAM_INVALID, f"sort_field must be one of {', '.join(SORT_FIELDS)}")
    if sort_order not in ("ASC", "DESC"):
        raise SandboxError(e.PARAM_INVALID, "sort_order must be ASC or DESC")
    if filters.get("order_status") not in (None, *STATUSES):
        raise SandboxError(e.PARAM_INVALID, f"order_status must be one of {', '.join(STATUSES)}")
    book = ctx.state.orders

    def key(order: Order) -> tuple[int, int]:
        return (getattr(order, sort_field), int(order.id))

    page, next_token, total = paginate(
        book.search(ctx.shop.id, filters),
        key,
        page_size=page_size,
        page_token=page_token,
        filters={**filters, "sort_field": sort_field, "sort_order": sort_order},
        descending=sort_order == "DESC",
    )
    return envelope(
        {
            "orders": [order_to_wire(o, book.packages) for o in page],
            "next_page_token": next_token,
            "total_count": total,
        }
    )


@router.get("/order/202309/orders")
async def get_orders(ctx: ShopCtx, ids: str | None = None) -> JSONResponse:
    wanted = [i for i in (ids or "").split(",") if i]
    if not wanted:
        raise SandboxError(e.PARAM_INVALID, "ids is required: comma-separated order ids")
    if len(wanted) > MAX_GET_IDS:
        raise SandboxError(e.PARAM_INVALID, f"at most {MAX_GET_IDS} ids per call, got {len(wanted)}")
    book = ctx.state.orders
    found = [
        o for o in (book.get(i) for i in dict.fromkeys(wanted)) if o is not None and o.shop_id == ctx.shop.id
    ]
    return envelope({"orders": [order_to_wire(o, book.packages) for o in found]})


class MarkShippedBody(BaseModel):
    tracking_number: str
    shipping_provider_id: str
    order_line_item_ids: list[str] = Field(default_factory=list)


@router.post("/fulfillment/202309/orders/{order_id}/packages")
async def mark_package_shipped(
    order_id: str, ctx: ShopCtx, body: Annotated[MarkShippedBody, Body()]
) -> JSONResponse:
    package = ctx.state.orders.mark_shipped(
        ctx.shop.id,
        order_id,
        tracking_number=body.tracking_number,
        shipping_provider_id=body.shipping_provider_id,
        line_item_ids=body.order_line_item_ids or None,
    )
    return envelope({"package_id": package.id, "order_line_item_ids": package.line_item_ids})


@router.get("/fulfillment/202309/orders/{order_id}/tracking")
async def order_tracking(order_id: str, ctx: ShopCtx) -> JSONResponse:
    order = ctx.state.orders.in_shop(ctx.shop.id, order_id)
    return envelope({"tracking": tracking_wire(order)})
