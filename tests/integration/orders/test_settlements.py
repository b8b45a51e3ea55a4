"""Settlements (R15): finance statements imported from the sandbox and applied to orders, pending
ones applied when the order arrives, late ones picked up, each published once."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import httpx

from libs.common.watermark import Window
from services.orders.intake.service import poll_shop
from services.orders.settlements.service import import_shop
from services.orders.shops.domain import Shop
from services.orders.tiktok import OrdersApi
from tests.integration.orders.conftest import SOURCE, move_order, outbox, place_order
from tests.support.stack import sandbox

WINDOW = Window(overlap_s=300, initial_lookback_s=3600)


async def settle(pool: asyncpg.Pool, api: OrdersApi, shop: Shop) -> Any:
    return await import_shop(pool, api, shop, Window(overlap_s=600, initial_lookback_s=3600), source=SOURCE)


async def statement(http: httpx.AsyncClient, sandbox_url: str, shop_id: str, **body: Any) -> dict[str, Any]:
    return await sandbox(http, "POST", f"{sandbox_url}/sandbox/shops/{shop_id}/statements", json=body)


async def settled(pool: asyncpg.Pool) -> list[dict[str, Any]]:
    return [e for e in await outbox(pool, "OrderStatusChanged") if e["data"]["kind"] == "settled"]


async def order_money(pool: asyncpg.Pool, order_id: str) -> tuple[str, str, str | None]:
    async with pool.acquire() as conn:
        row = await conn.fetchrow(
            "SELECT settlement_amount, settlement_fees, payout_status FROM orders WHERE order_id = $1", order_id
        )
    return str(row["settlement_amount"]), str(row["settlement_fees"]), row["payout_status"]


async def test_statement_is_applied_to_downloaded_orders_once_and_payout_follows(
    pool: asyncpg.Pool, api: OrdersApi, shop: Shop, http: httpx.AsyncClient, sandbox_url: str
) -> None:
    """R15: fees, settlement amount and payout status on the order; OrderStatusChanged(settled) once."""
    placed = [await place_order(http, sandbox_url, shop.shop_id) for _ in range(2)]
    for order in placed:
        await sandbox(http, "POST", f"{sandbox_url}/sandbox/orders/{order['id']}/status", json={"status": "DELIVERED"})
    await poll_shop(pool, api, shop, WINDOW, source=SOURCE)
    created = await statement(http, sandbox_url, shop.shop_id)
    assert sorted(created["order_ids"]) == sorted(o["id"] for o in placed)

    first = await settle(pool, api, shop)
    assert (first.statements, first.transactions, first.applied) == (1, 2, 2)
    assert await order_money(pool, placed[0]["id"]) == ("36.78", "3.20", "PROCESSING")  # 39.98 - 8 %
    events = await settled(pool)
    assert sorted(e["data"]["order_id"] for e in events) == sorted(o["id"] for o in placed)
    assert events[0]["data"]["details"]["settlement_amount"] == "36.78"

    await sandbox(http, "POST", f"{sandbox_url}/sandbox/statements/{created['id']}/payment",
                  json={"payment_status": "PAID"})
    again = await settle(pool, api, shop)
    assert (again.statements, again.applied) == (1, 0)
    assert (await order_money(pool, placed[0]["id"]))[2] == "PAID"
    assert len(await settled(pool)) == 2


async def test_settlement_of_an_order_not_downloaded_yet_waits_for_the_order(
    pool: asyncpg.Pool, api: OrdersApi, shop: Shop, http: httpx.AsyncClient, sandbox_url: str
) -> None:
    """R15: kept pending, applied (and published) by the ingest that stores the order."""
    order = await place_order(http, sandbox_url, shop.shop_id)
    await statement(http, sandbox_url, shop.shop_id, order_ids=[order["id"]])
    result = await settle(pool, api, shop)
    assert (result.transactions, result.applied) == (1, 0)
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM settlements WHERE applied_at IS NULL") == 1
    assert await outbox(pool) == []

    await poll_shop(pool, api, shop, WINDOW, source=SOURCE)
    await poll_shop(pool, api, shop, WINDOW, source=SOURCE)
    assert [e["type"] for e in await outbox(pool)] == ["OrderDownloaded", "OrderStatusChanged"]
    assert (await order_money(pool, order["id"]))[0] == "36.78"


async def test_late_statement_is_imported_when_it_appears(
    pool: asyncpg.Pool, api: OrdersApi, shop: Shop, http: httpx.AsyncClient, sandbox_url: str
) -> None:
    """R15: late settlements are expected: the overlap window picks up a statement generated late."""
    order = await place_order(http, sandbox_url, shop.shop_id)
    await move_order(http, sandbox_url, order["id"], "COMPLETED")
    await poll_shop(pool, api, shop, WINDOW, source=SOURCE)
    await statement(http, sandbox_url, shop.shop_id, delay_s=1.5)
    assert (await settle(pool, api, shop)).statements == 0
    await asyncio.sleep(2.0)
    later = await settle(pool, api, shop)
    assert (later.statements, later.applied) == (1, 1)
    assert [e["data"]["order_id"] for e in await settled(pool)] == [order["id"]]
