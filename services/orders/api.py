"""Admin HTTP API: the stored orders; and what every router of the service uses to reach the runtime, its
settings and its TikTok client. Thin: parse, call a use case, shape the answer. Money leaves as decimal
strings, never floats."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, cast

import asyncpg
from fastapi import APIRouter, Query, Request

from libs.common.refusals import NotFound
from libs.common.runtime import ServiceRuntime
from libs.common.web import component
from services.orders import repo
from services.orders.domain import wms_should_pick
from services.orders.settings import OrdersSettings
from services.orders.tiktok import TIKTOK, OrdersApi

MAX_LIST = 500

router = APIRouter(tags=["orders"])


def runtime_of(request: Request) -> ServiceRuntime:
    return cast(ServiceRuntime, request.app.state.runtime)


def settings_of(request: Request) -> OrdersSettings:
    return cast(OrdersSettings, runtime_of(request).settings)


def tiktok_of(request: Request) -> OrdersApi:
    """The service's TikTok client (503 ``not_ready`` until the service has started)."""
    return cast(OrdersApi, component(request, TIKTOK))


def plain(value: Any) -> Any:
    """``value`` as JSON can carry it: decimals as strings, datetimes in ISO 8601, UUIDs as text."""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def _full(row: asyncpg.Record, lines: list[asyncpg.Record]) -> dict[str, Any]:
    order = dict(row)
    order.pop("raw", None)
    order["totals"] = {k: order.pop(k) for k in ("sub_total", "shipping_fee", "tax", "total")}
    order["wms_should_pick"] = wms_should_pick(order["fulfillment_type"])
    order["lines"] = [{k: v for k, v in dict(line).items() if k != "order_id"} for line in lines]
    return plain(order)  # type: ignore[no-any-return]


@router.get("/orders")
async def list_orders(
    request: Request, shop: str | None = None, status: str | None = None, channel: str | None = None,
    before: Annotated[datetime | None, Query(description="Only orders created before (paging).")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIST)] = 50,
) -> dict[str, Any]:
    async with runtime_of(request).db().acquire() as conn:
        rows = await repo.list_orders(conn, shop_id=shop, status=status, channel=channel, created_before=before,
                                      limit=limit)
    return {"orders": [plain(dict(r)) for r in rows], "count": len(rows)}


@router.get("/orders/{order_id}")
async def get_order(request: Request, order_id: str) -> dict[str, Any]:
    async with runtime_of(request).db().acquire() as conn:
        found = await repo.get_order(conn, order_id)
    if found is None:
        raise NotFound("order_not_found", f"no order {order_id} has been downloaded")
    return _full(*found)
