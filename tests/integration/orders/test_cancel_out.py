"""Seller-side cancel (R17) against real PostgreSQL and the sandbox's cancellation endpoint."""

from __future__ import annotations

import uuid

import asyncpg
import httpx
import pytest

from libs.common.refusals import Refused
from libs.common.watermark import Window
from libs.common.web import refusal_status
from services.orders.after_sales import service as after_sales
from services.orders.intake.service import poll_shop
from services.orders.intake.webhooks import service as webhooks
from services.orders.shops.domain import Shop
from services.orders.tiktok import OrdersApi
from tests.integration.orders.conftest import SOURCE, move_order, outbox, place_order
from tests.support.order_webhooks import webhook
from tests.support.stack import sandbox

WINDOW = Window(overlap_s=300, initial_lookback_s=3600)
TWO_SKUS = [{"seller_sku": "TSHIRT-RED-M", "quantity": 2, "unit_price": "19.99"},
            {"seller_sku": "MUG", "quantity": 1, "unit_price": "7.50"}]


async def tiktok_cancellations(api: OrdersApi, shop_id: str, order_id: str) -> list[dict[str, object]]:
    data = await api._client.call(  # the sandbox's own record of what it received
        "POST", "/return_refund/202309/cancellations/search", shop_id=shop_id, params={"page_size": 50},
        json={"order_ids": [order_id]},
    )
    return list(data["cancellations"])


async def test_cancel_of_an_awaiting_shipment_order_is_sent_and_detected_once(
    pool: asyncpg.Pool, api: OrdersApi, shop: Shop, http: httpx.AsyncClient, sandbox_url: str
) -> None:
    """R17: sent to TikTok; our order follows with one CancellationDetected(initiated_by SELLER)."""
    placed = await place_order(http, sandbox_url, shop.shop_id)
    await poll_shop(pool, api, shop, WINDOW, source=SOURCE)

    answer = await after_sales.cancel_order(pool, api, order_id=placed["id"], seller_skus=None,
                                           reason="Out of stock", source=SOURCE)
    assert answer["tiktok_status_before"] == "AWAITING_SHIPMENT" and answer["tiktok_status_now"] == "CANCELLED"
    assert answer["cancellation_id"] and len(answer["line_item_ids"]) == 2
    on_tiktok = await sandbox(http, "GET", f"{sandbox_url}/sandbox/orders/{placed['id']}")
    assert (on_tiktok["status"], on_tiktok["cancellation_initiator"], on_tiktok["cancel_reason"]) == (
        "CANCELLED", "SELLER", "Out of stock",
    )
    (record,) = await tiktok_cancellations(api, shop.shop_id, placed["id"])
    assert record["role"] == "SELLER"

    await webhook(pool, shop.shop_id, 11, placed["id"])  # TikTok's notification of the same cancel
    await webhooks.process_order_notifications(pool, api, source=SOURCE, batch_size=50, max_attempts=3)
    (event,) = await outbox(pool, "CancellationDetected")
    assert (event["data"]["initiated_by"], event["data"]["applied"], event["data"]["reason"]) == (
        "SELLER", True, "Out of stock",
    )
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT status FROM orders WHERE order_id = $1", placed["id"]) == "Cancelled"
        assert await conn.fetchval("SELECT count(*) FROM cancel_requests WHERE order_id = $1", placed["id"]) == 1


async def test_cancel_of_some_lines_leaves_the_rest_of_the_order(
    pool: asyncpg.Pool, api: OrdersApi, shop: Shop, http: httpx.AsyncClient, sandbox_url: str
) -> None:
    """R17: --lines cancels only those SKUs' units; the event lists them."""
    placed = await place_order(http, sandbox_url, shop.shop_id, lines=TWO_SKUS)
    await poll_shop(pool, api, shop, WINDOW, source=SOURCE)
    answer = await after_sales.cancel_order(pool, api, order_id=placed["id"], seller_skus=["MUG"],
                                           reason="Broken in stock", source=SOURCE)
    assert answer["tiktok_status_now"] == "AWAITING_SHIPMENT" and len(answer["line_item_ids"]) == 1
    (event,) = await outbox(pool, "CancellationDetected")
    assert [(x["seller_sku"], x["quantity"]) for x in event["data"]["lines"]] == [("MUG", 1)]
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT status FROM orders WHERE order_id = $1", placed["id"]) == "In Process"

    with pytest.raises(Refused) as unknown:
        await after_sales.cancel_order(pool, api, order_id=placed["id"], seller_skus=["NOPE"], reason="x", source=SOURCE)
    assert refusal_status(unknown.value) == 422 and "NOPE" in unknown.value.message


async def test_cancel_is_refused_with_tiktoks_status_once_the_order_shipped(
    pool: asyncpg.Pool, api: OrdersApi, shop: Shop, http: httpx.AsyncClient, sandbox_url: str
) -> None:
    """R17: not UNPAID / AWAITING_SHIPMENT on TikTok -> 409 naming the status; nothing sent."""
    placed = await place_order(http, sandbox_url, shop.shop_id)
    await poll_shop(pool, api, shop, WINDOW, source=SOURCE)
    await move_order(http, sandbox_url, placed["id"], "IN_TRANSIT")  # ours still says In Process

    with pytest.raises(Refused) as refused:
        await after_sales.cancel_order(pool, api, order_id=placed["id"], seller_skus=None, reason="Late", source=SOURCE)
    assert refusal_status(refused.value) == 409 and "IN_TRANSIT" in refused.value.message
    assert await tiktok_cancellations(api, shop.shop_id, placed["id"]) == []
    assert await outbox(pool, "CancellationDetected") == []

    with pytest.raises(Refused) as missing:
        await after_sales.cancel_order(pool, api, order_id=uuid.uuid4().hex, seller_skus=None, reason="x", source=SOURCE)
    assert refusal_status(missing.value) == 404
