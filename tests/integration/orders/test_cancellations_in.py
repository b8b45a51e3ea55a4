"""Cancellations made on TikTok (R18, R19) through poll, webhooks and range jobs, against real
PostgreSQL and the sandbox."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
import httpx

from libs.common.watermark import Window
from services.orders.intake.jobs import service as jobs
from services.orders.intake.service import poll_shop
from services.orders.intake.webhooks import service as webhooks
from services.orders.shops.domain import Shop
from services.orders.tiktok import OrdersApi
from tests.integration.orders.conftest import SOURCE, allow_download, move_order, outbox, place_order
from tests.support.order_webhooks import webhook
from tests.support.stack import sandbox

WINDOW = Window(overlap_s=300, initial_lookback_s=3600)


async def buyer_cancel(http: httpx.AsyncClient, sandbox_url: str, order_id: str, reason: str) -> None:
    await asyncio.sleep(1.05)  # a newer update_time (one-second resolution)
    await sandbox(http, "POST", f"{sandbox_url}/sandbox/orders/{order_id}/status",
                  json={"status": "CANCELLED", "reason": reason})


async def order_row(pool: asyncpg.Pool, order_id: str) -> asyncpg.Record:
    async with pool.acquire() as conn:
        row = await conn.fetchrow(
            "SELECT status, shipping_status, tiktok_status, cancellation_flagged FROM orders WHERE order_id = $1",
            order_id,
        )
    assert row is not None
    return row


async def recorded(pool: asyncpg.Pool, order_id: str) -> list[asyncpg.Record]:
    async with pool.acquire() as conn:
        return list(await conn.fetch(
            "SELECT applied, published, initiated_by, whole_order FROM order_cancellations WHERE order_id = $1",
            order_id,
        ))


async def test_buyer_cancel_seen_by_poll_and_webhooks_is_applied_and_published_once(
    pool: asyncpg.Pool, api: OrdersApi, shop: Shop, http: httpx.AsyncClient, sandbox_url: str
) -> None:
    """R18: In Process + Unshipped -> Cancelled, one CancellationDetected(applied) whatever the source."""
    placed = await place_order(http, sandbox_url, shop.shop_id)
    await poll_shop(pool, api, shop, WINDOW, source=SOURCE)
    await buyer_cancel(http, sandbox_url, placed["id"], "Ordered by mistake")

    for type_ in (1, 11, 1):  # ORDER_STATUS_CHANGE, CANCELLATION_STATUS_CHANGE, a second status change
        await webhook(pool, shop.shop_id, type_, placed["id"])
    assert await webhooks.process_order_notifications(pool, api, source=SOURCE, batch_size=50, max_attempts=3) == 3
    await poll_shop(pool, api, shop, WINDOW, source=SOURCE)

    (event,) = await outbox(pool, "CancellationDetected")
    data = event["data"]
    assert (data["order_id"], data["applied"], data["initiated_by"], data["reason"]) == (
        placed["id"], True, "BUYER", "Ordered by mistake",
    )
    assert data["lines"] is None and data["tiktok_status"] == "CANCELLED"
    assert (await order_row(pool, placed["id"]))["status"] == "Cancelled"
    assert [tuple(r) for r in await recorded(pool, placed["id"])] == [(True, True, "BUYER", True)]
    assert await outbox(pool, "OrderStatusChanged") == []


async def test_cancel_of_a_shipped_order_is_recorded_and_flagged_not_applied(
    pool: asyncpg.Pool, api: OrdersApi, shop: Shop, http: httpx.AsyncClient, sandbox_url: str
) -> None:
    """R18: already shipped -> status kept, flagged, CancellationDetected(applied=false, reason)."""
    placed = await place_order(http, sandbox_url, shop.shop_id)
    await poll_shop(pool, api, shop, WINDOW, source=SOURCE)
    await move_order(http, sandbox_url, placed["id"], "IN_TRANSIT")
    await poll_shop(pool, api, shop, WINDOW, source=SOURCE)
    await buyer_cancel(http, sandbox_url, placed["id"], "Too late")
    await poll_shop(pool, api, shop, WINDOW, source=SOURCE)
    await poll_shop(pool, api, shop, WINDOW, source=SOURCE)

    (event,) = await outbox(pool, "CancellationDetected")
    assert event["data"]["applied"] is False
    assert "already shipped" in event["data"]["not_applied_reason"]
    row = await order_row(pool, placed["id"])
    assert (row["status"], row["shipping_status"], row["tiktok_status"], row["cancellation_flagged"]) == (
        "Shipped", "Shipped", "CANCELLED", True,
    )
    assert [e["data"]["kind"] for e in await outbox(pool, "OrderStatusChanged")] == ["shipped"]


async def test_with_status_change_query_off_only_a_range_job_imports_the_cancellation(
    pool: asyncpg.Pool, api: OrdersApi, shop: Shop, http: httpx.AsyncClient, sandbox_url: str
) -> None:
    """R18: poll and webhooks leave it when "query order status change" is off; a range re-download applies it."""
    off = await allow_download(pool, shop.shop_id, query_status_change=False)
    placed = await place_order(http, sandbox_url, shop.shop_id)
    await poll_shop(pool, api, off, WINDOW, source=SOURCE)
    await buyer_cancel(http, sandbox_url, placed["id"], "No longer needed")

    polled = await poll_shop(pool, api, off, WINDOW, source=SOURCE)
    assert polled.result.cancellations_deferred == 1
    await webhook(pool, shop.shop_id, 11, placed["id"])
    await webhooks.process_order_notifications(pool, api, source=SOURCE, batch_size=50, max_attempts=3)
    async with pool.acquire() as conn:
        outcome = await conn.fetchval("SELECT outcome FROM webhook_inbox WHERE type = 11")
    assert "query order status change is off" in outcome
    assert await outbox(pool, "CancellationDetected") == []
    assert (await order_row(pool, placed["id"]))["status"] == "In Process"

    await jobs.create_job(pool, shop_id=shop.shop_id, from_=None, to=None)
    await jobs.run_next_job(pool, api, owner=uuid.uuid4(), lease_s=60, source=SOURCE)
    (event,) = await outbox(pool, "CancellationDetected")
    assert event["data"]["applied"] is True
    assert (await order_row(pool, placed["id"]))["status"] == "Cancelled"


async def test_buyer_cancel_during_on_hold_never_reaches_the_wms(
    pool: asyncpg.Pool, api: OrdersApi, shop: Shop, http: httpx.AsyncClient, sandbox_url: str
) -> None:
    """R19: an ON_HOLD order cancelled by the buyer is recorded; nothing is published."""
    held = await place_order(http, sandbox_url, shop.shop_id, on_hold=True)
    await poll_shop(pool, api, shop, WINDOW, source=SOURCE)
    await buyer_cancel(http, sandbox_url, held["id"], "Changed my mind")
    await poll_shop(pool, api, shop, WINDOW, source=SOURCE)

    assert await outbox(pool) == []
    assert (await order_row(pool, held["id"]))["status"] == "Cancelled"
    assert [tuple(r) for r in await recorded(pool, held["id"])] == [(True, False, "BUYER", True)]
