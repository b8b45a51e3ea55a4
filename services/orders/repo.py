"""Reads of stored orders: the admin API's views and what a cancel or refund needs first. Functions take the
connection. The ingest's writes are in :mod:`services.orders.intake.repo`."""

from __future__ import annotations

from datetime import datetime

import asyncpg

_SUMMARY = (
    "SELECT order_id, shop_id, status, shipping_status, tiktok_status, fulfillment_type, subtype,"
    " is_replacement, replaced_order_id, order_source, channel, created_at, paid_at, currency, total,"
    " (SELECT coalesce(sum(quantity), 0) FROM order_lines l WHERE l.order_id = o.order_id) AS units"
    " FROM orders o"
)


async def list_orders(
    conn: asyncpg.Connection,
    *,
    shop_id: str | None,
    status: str | None,
    channel: str | None,
    created_before: datetime | None,
    limit: int,
) -> list[asyncpg.Record]:
    where: list[str] = []
    args: list[object] = []
    for column, value in (("shop_id", shop_id), ("status", status), ("channel", channel)):
        if value is not None:
            args.append(value)
            where.append(f"{column} = ${len(args)}")
    if created_before is not None:
        args.append(created_before)
        where.append(f"created_at < ${len(args)}")
    args.append(limit)
    sql = _SUMMARY + (" WHERE " + " AND ".join(where) if where else "")
    return list(await conn.fetch(sql + f" ORDER BY created_at DESC, order_id DESC LIMIT ${len(args)}", *args))


async def get_order(conn: asyncpg.Connection, order_id: str) -> tuple[asyncpg.Record, list[asyncpg.Record]] | None:
    row = await conn.fetchrow("SELECT * FROM orders WHERE order_id = $1", order_id)
    if row is None:
        return None
    lines = await conn.fetch("SELECT * FROM order_lines WHERE order_id = $1 ORDER BY line_no", order_id)
    return row, list(lines)


async def order_payment(conn: asyncpg.Connection, order_id: str) -> asyncpg.Record | None:
    """The order's shop and payment method (what a cancel or refund needs first), or None."""
    return await conn.fetchrow("SELECT order_id, shop_id, payment_method FROM orders WHERE order_id = $1", order_id)


async def order_status(conn: asyncpg.Connection, order_id: str) -> str:
    """Our status of an order that is stored (orders are never deleted)."""
    value = await conn.fetchval("SELECT status FROM orders WHERE order_id = $1", order_id)
    if value is None:
        raise LookupError(f"order {order_id} is not stored")
    return str(value)
