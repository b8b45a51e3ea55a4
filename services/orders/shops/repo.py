"""SQL for the shops projection. Functions take the connection; the use case owns the transaction."""

from __future__ import annotations

from datetime import datetime

import asyncpg

from services.orders.shops.domain import Shop

_COLUMNS = "shop_id, allow_order_download, query_order_status_change, publish_on_hold_orders, status"


def _shop(row: asyncpg.Record) -> Shop:
    return Shop(
        shop_id=row["shop_id"], allow_order_download=row["allow_order_download"],
        query_order_status_change=row["query_order_status_change"],
        publish_on_hold_orders=row["publish_on_hold_orders"], status=row["status"],
    )


async def get_shop(conn: asyncpg.Connection, shop_id: str) -> Shop | None:
    row = await conn.fetchrow(f"SELECT {_COLUMNS} FROM shops WHERE shop_id = $1", shop_id)
    return _shop(row) if row else None


async def all_shops(conn: asyncpg.Connection) -> list[Shop]:
    return [_shop(r) for r in await conn.fetch(f"SELECT {_COLUMNS} FROM shops ORDER BY shop_id")]


async def list_shops(conn: asyncpg.Connection) -> list[asyncpg.Record]:
    return list(await conn.fetch(f"SELECT {_COLUMNS}, updated_at FROM shops ORDER BY shop_id"))


async def shop_connected(conn: asyncpg.Connection, *, shop_id: str, status: str, at: datetime) -> None:
    """A (re)connected shop keeps its switches; only its status moves (unless the event is older)."""
    await conn.execute(
        "INSERT INTO shops (shop_id, status, updated_at) VALUES ($1, $2, $3)"
        " ON CONFLICT (shop_id) DO UPDATE SET status = EXCLUDED.status, updated_at = EXCLUDED.updated_at"
        " WHERE shops.updated_at <= EXCLUDED.updated_at",
        shop_id, status, at,
    )


async def shop_settings(
    conn: asyncpg.Connection, *, shop_id: str, allow_order_download: bool, query_order_status_change: bool,
    publish_on_hold_orders: bool, status: str, at: datetime,
) -> None:
    await conn.execute(
        f"INSERT INTO shops ({_COLUMNS}, updated_at) VALUES ($1, $2, $3, $4, $5, $6)"
        " ON CONFLICT (shop_id) DO UPDATE SET allow_order_download = EXCLUDED.allow_order_download,"
        " query_order_status_change = EXCLUDED.query_order_status_change,"
        " publish_on_hold_orders = EXCLUDED.publish_on_hold_orders, status = EXCLUDED.status,"
        " updated_at = EXCLUDED.updated_at WHERE shops.updated_at <= EXCLUDED.updated_at",
        shop_id, allow_order_download, query_order_status_change, publish_on_hold_orders, status, at,
    )
