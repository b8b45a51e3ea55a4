"""Ingest and the reconciliation poll against real PostgreSQL and the sandbox."""

from __future__ import annotations

import asyncio

import asyncpg
import httpx

from libs.common.watermark import Window
from services.orders import repo
from services.orders.intake.service import ingest_orders, poll_shop
from services.orders.shops.domain import Shop
from services.orders.tiktok import OrdersApi
from tests.integration.orders.conftest import SOURCE, allow_download, move_order, outbox, place_order

WINDOW = Window(overlap_s=300, initial_lookback_s=3600)


async def test_poll_downloads_new_orders_once_with_aggregated_lines(
    pool: asyncpg.Pool, api: OrdersApi, shop: Shop, http: httpx.AsyncClient, sandbox_url: str
) -> None:
    placed = await place_order(
        http, sandbox_url, shop.shop_id,
        lines=[{"seller_sku": "TSHIRT-RED-M", "quantity": 2, "unit_price": "19.99"},
               {"seller_sku": "MUG", "quantity": 1, "unit_price": "7.50"}],
    )
    first = await poll_shop(pool, api, shop, WINDOW, source=SOURCE)
    assert (first.result.new, first.result.downloaded_events) == (1, 1)

    async with pool.acquire() as conn:
        found = await repo.get_order(conn, placed["id"])
    assert found is not None
    row, lines = found
    assert (row["status"], row["shipping_status"], row["order_source"], row["channel"]) == (
        "In Process", "Unshipped", "Website", "TikTok Shop",
    )
    assert str(row["total"]) == "47.48"
    assert sorted((line["seller_sku"], line["quantity"], len(line["line_item_ids"])) for line in lines) == [
        ("MUG", 1, 1), ("TSHIRT-RED-M", 2, 2),
    ]

    again = await poll_shop(pool, api, shop, WINDOW, source=SOURCE)
    assert (again.result.new, again.result.unchanged, again.result.downloaded_events) == (0, 1, 0)
    downloaded = await outbox(pool, "OrderDownloaded")
    assert [e["data"]["order_id"] for e in downloaded] == [placed["id"]]
    assert sorted((line["seller_sku"], line["quantity"]) for line in downloaded[0]["data"]["lines"]) == [
        ("MUG", 1), ("TSHIRT-RED-M", 2)]


async def test_on_hold_order_is_published_when_it_leaves_the_hold_and_status_changes_follow(
    pool: asyncpg.Pool, api: OrdersApi, shop: Shop, http: httpx.AsyncClient, sandbox_url: str
) -> None:
    held = await place_order(http, sandbox_url, shop.shop_id, on_hold=True)
    await poll_shop(pool, api, shop, WINDOW, source=SOURCE)
    assert await outbox(pool, "OrderDownloaded") == []

    await move_order(http, sandbox_url, held["id"], "AWAITING_SHIPMENT")
    released = await poll_shop(pool, api, shop, WINDOW, source=SOURCE)
    assert (released.result.updated, released.result.downloaded_events, released.result.status_events) == (1, 1, 0)

    await move_order(http, sandbox_url, held["id"], "CANCELLED")
    cancelled = await poll_shop(pool, api, shop, WINDOW, source=SOURCE)
    assert (cancelled.result.status_events, cancelled.result.cancellation_events) == (0, 1)
    (cancellation,) = await outbox(pool, "CancellationDetected")  # R18: the cancellation's own event
    assert (cancellation["data"]["order_id"], cancellation["data"]["applied"]) == (held["id"], True)
    assert len(await outbox(pool, "OrderDownloaded")) == 1


async def test_on_hold_order_is_published_at_once_when_the_shop_allows_it(
    pool: asyncpg.Pool, api: OrdersApi, shop: Shop, http: httpx.AsyncClient, sandbox_url: str
) -> None:
    shop = await allow_download(pool, shop.shop_id, publish_on_hold=True)
    await place_order(http, sandbox_url, shop.shop_id, on_hold=True)
    result = await poll_shop(pool, api, shop, WINDOW, source=SOURCE)
    assert result.result.downloaded_events == 1
    assert (await outbox(pool, "OrderDownloaded"))[0]["data"]["is_on_hold"] is True


async def test_replacement_and_fbt_orders(
    pool: asyncpg.Pool, api: OrdersApi, shop: Shop, http: httpx.AsyncClient, sandbox_url: str
) -> None:
    original = await place_order(http, sandbox_url, shop.shop_id)
    replacement = await place_order(http, sandbox_url, shop.shop_id, replacement_of=original["id"])
    fbt = await place_order(http, sandbox_url, shop.shop_id, fulfillment_type="FULFILLMENT_BY_TIKTOK")
    await poll_shop(pool, api, shop, WINDOW, source=SOURCE)
    by_id = {e["data"]["order_id"]: e["data"] for e in await outbox(pool, "OrderDownloaded")}
    assert by_id[replacement["id"]]["notes"] == [f"Replacement for order {original['id']}"]
    assert by_id[replacement["id"]]["replaced_order_id"] == original["id"]
    assert (by_id[fbt["id"]]["subtype"], by_id[fbt["id"]]["wms_should_pick"]) == ("Fulfilled by TikTok", False)
    assert by_id[fbt["id"]]["shipping_status"] == "Unshipped"

    await move_order(http, sandbox_url, fbt["id"], "IN_TRANSIT")
    await poll_shop(pool, api, shop, WINDOW, source=SOURCE)
    (changed,) = await outbox(pool, "OrderStatusChanged")
    assert (changed["data"]["status"], changed["data"]["kind"]) == ("Completed", "completed")
    assert changed["data"]["tracking"][0]["tracking_number"]


async def test_concurrent_ingest_of_the_same_orders_publishes_each_once(
    pool: asyncpg.Pool, api: OrdersApi, shop: Shop, http: httpx.AsyncClient, sandbox_url: str
) -> None:
    ids = [(await place_order(http, sandbox_url, shop.shop_id))["id"] for _ in range(5)]
    page = await api.get(shop.shop_id, ids)
    results = await asyncio.gather(
        *(ingest_orders(pool, list(reversed(page)) if i % 2 else page, shop, source=SOURCE) for i in range(6))
    )
    assert sum(r.new for r in results) == 5
    assert sum(r.unchanged for r in results) == 25
    assert sorted(e["data"]["order_id"] for e in await outbox(pool, "OrderDownloaded")) == sorted(ids)


async def test_older_version_does_not_overwrite_a_newer_one(
    pool: asyncpg.Pool, api: OrdersApi, shop: Shop, http: httpx.AsyncClient, sandbox_url: str
) -> None:
    placed = await place_order(http, sandbox_url, shop.shop_id)
    (old,) = await api.get(shop.shop_id, [placed["id"]])
    await move_order(http, sandbox_url, placed["id"], "IN_TRANSIT")
    (new,) = await api.get(shop.shop_id, [placed["id"]])
    await ingest_orders(pool, [new], shop, source=SOURCE)
    stale = await ingest_orders(pool, [old], shop, source=SOURCE)
    assert (stale.updated, stale.unchanged) == (0, 1)
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT tiktok_status FROM orders WHERE order_id = $1", placed["id"]) == "IN_TRANSIT"


async def test_poll_of_a_shop_tiktok_refuses_leaves_the_watermark_and_records_the_error(
    pool: asyncpg.Pool, api: OrdersApi
) -> None:
    unknown = await allow_download(pool, "no-such-shop")
    try:
        await poll_shop(pool, api, unknown, WINDOW, source=SOURCE, now=10_000)
    except Exception as exc:  # noqa: BLE001 - any failure must be recorded, not swallowed
        error = exc
    else:
        raise AssertionError("polling a shop without a token must fail")
    async with pool.acquire() as conn:
        row = await conn.fetchrow("SELECT update_time_ge, last_error FROM poll_watermarks WHERE shop_id = $1", "no-such-shop")
    assert row["update_time_ge"] == 10_000 - WINDOW.initial_lookback_s
    assert row["last_error"] and type(error).__name__ in row["last_error"]
