"""Admin HTTP API of the orders service, and the TikTok webhook receiver. Thin: parse, call a use
case, shape the answer. Money leaves as decimal strings, never floats."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

import asyncpg
from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from libs.common.limits import IdentifierText
from libs.common.runtime import ServiceRuntime
from libs.common.web import ApiError
from libs.common.webhooks import intake
from services.orders import jobs, repo, repo_queues, webhooks
from services.orders.domain import require_downloads, wms_should_pick
from services.orders.service import PollWindow, poll_shop
from services.orders.settings import OrdersSettings
from services.orders.workers import Workers

MAX_LIST = 500


class DownloadRequest(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    shop: IdentifierText = Field(min_length=1, description="TikTok shop id.")
    from_: datetime | None = Field(default=None, alias="from", description="Start (ISO date or datetime; UTC if naive).")
    to: datetime | None = Field(default=None, description="End, exclusive (default now).")


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _summary(row: asyncpg.Record) -> dict[str, Any]:
    return _plain(dict(row))  # type: ignore[no-any-return]


def _full(row: asyncpg.Record, lines: list[asyncpg.Record]) -> dict[str, Any]:
    order = dict(row)
    order.pop("raw", None)
    order["totals"] = {k: order.pop(k) for k in ("sub_total", "shipping_fee", "tax", "total")}
    order["wms_should_pick"] = wms_should_pick(order["fulfillment_type"])
    order["lines"] = [{k: v for k, v in dict(line).items() if k != "order_id"} for line in lines]
    return _plain(order)  # type: ignore[no-any-return]


def build_router(runtime: ServiceRuntime, settings: OrdersSettings, workers: Workers) -> APIRouter:
    router = APIRouter()

    @router.get("/orders")
    async def list_orders(
        shop: str | None = None, status: str | None = None, channel: str | None = None,
        before: Annotated[datetime | None, Query(description="Only orders created before (paging).")] = None,
        limit: Annotated[int, Query(ge=1, le=MAX_LIST)] = 50,
    ) -> dict[str, Any]:
        async with runtime.db().acquire() as conn:
            rows = await repo.list_orders(
                conn, shop_id=shop, status=status, channel=channel, created_before=before, limit=limit
            )
        return {"orders": [_summary(r) for r in rows], "count": len(rows)}

    @router.get("/orders/{order_id}")
    async def get_order(order_id: str) -> dict[str, Any]:
        async with runtime.db().acquire() as conn:
            found = await repo.get_order(conn, order_id)
        if found is None:
            raise ApiError(404, "order_not_found", f"no order {order_id} has been downloaded")
        return _full(*found)

    @router.post("/jobs/download", status_code=201)
    async def create_download_job(body: DownloadRequest) -> JSONResponse:
        job = await jobs.create_job(
            runtime.db(), shop_id=body.shop, from_=body.from_, to=body.to, wake=workers.job_wake.set
        )
        return JSONResponse(_plain(job), status_code=201)

    @router.get("/jobs")
    async def list_jobs(shop: str | None = None, limit: Annotated[int, Query(ge=1, le=MAX_LIST)] = 20) -> dict[str, Any]:
        async with runtime.db().acquire() as conn:
            rows = await repo_queues.list_jobs(conn, shop_id=shop, limit=limit)
        return {"jobs": [_plain(jobs.job_view(r)) for r in rows]}

    @router.get("/jobs/{job_id}")
    async def get_job(job_id: uuid.UUID) -> dict[str, Any]:
        return _plain(await jobs.get_job(runtime.db(), job_id))  # type: ignore[no-any-return]

    @router.post("/webhooks/tiktok")
    async def tiktok_webhook(request: Request, authorization: Annotated[str | None, Header()] = None) -> dict[str, Any]:
        notification = await intake(request, signature=authorization, app_key=settings.tiktok_app_key,
                                    app_secret=settings.tiktok_app_secret)
        return await webhooks.receive(runtime.db(), notification, wake=workers.webhook_wake.set)

    @router.post("/shops/{shop_id}/poll")
    async def poll_now(shop_id: str) -> dict[str, Any]:
        async with runtime.db().acquire() as conn:
            shop = require_downloads(await repo.get_shop(conn, shop_id), shop_id)
        window = PollWindow(settings.poll_overlap_s, settings.initial_lookback_s)
        result = await poll_shop(
            runtime.db(), workers.api, shop, window, source=runtime.source, after_commit=runtime.wake_relay,
            wait=True,
        )
        return result.as_dict()

    @router.get("/shops")
    async def list_shops() -> dict[str, Any]:
        async with runtime.db().acquire() as conn:
            shops = await repo.list_shops(conn)
        return {"shops": [_plain(dict(r)) for r in shops]}

    return router
