"""SQL of the projections every feature reads: the shops and the orders (with their lines) as the shops.changed
and orders.* events told us. Functions take the connection (and so the transaction) they are given; the
features' own tables are in their repos (``uploads``, ``shipping_query``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from services.fulfillment.domain import (
    CancelledUnits,
    OrderCopy,
    OrderLineCopy,
)


@dataclass(frozen=True)
class ShopProjection:
    shop_id: str
    allow_tracking_upload: bool
    query_shipping_change: bool
    status: str
    status_reason: str | None


async def lock_order(conn: asyncpg.Connection, order_id: str) -> None:
    """Serialise, per order, everything that reads the order and its shipments and then writes.

    Held until the transaction ends. It makes "shipment recorded as waiting_for_order" and
    "order downloaded, waiting shipments resolved" impossible to interleave badly.
    """
    await conn.execute("SELECT pg_advisory_xact_lock(hashtext('fulfillment.order:' || $1))", order_id)


# --- shops ----------------------------------------------------------------------------------
async def upsert_shop(
    conn: asyncpg.Connection,
    *,
    shop_id: str,
    status: str,
    status_reason: str | None = None,
    allow_tracking_upload: bool | None = None,
    query_shipping_change: bool | None = None,
) -> None:
    """Insert or update; switches left None keep their stored value (default off)."""
    await conn.execute(
        """
        INSERT INTO shops (shop_id, status, status_reason, allow_tracking_upload, query_shipping_change)
        VALUES ($1, $2, $3, coalesce($4, false), coalesce($5, false))
        ON CONFLICT (shop_id) DO UPDATE SET
            status = EXCLUDED.status,
            status_reason = EXCLUDED.status_reason,
            allow_tracking_upload = coalesce($4, shops.allow_tracking_upload),
            query_shipping_change = coalesce($5, shops.query_shipping_change),
            updated_at = now()
        """,
        shop_id, status, status_reason, allow_tracking_upload, query_shipping_change,
    )


async def get_shop(conn: asyncpg.Connection, shop_id: str) -> ShopProjection | None:
    row = await conn.fetchrow("SELECT * FROM shops WHERE shop_id = $1", shop_id)
    if row is None:
        return None
    return ShopProjection(
        row["shop_id"], row["allow_tracking_upload"], row["query_shipping_change"], row["status"],
        row["status_reason"],
    )


# --- orders ---------------------------------------------------------------------------------
async def save_downloaded_order(
    conn: asyncpg.Connection,
    *,
    order_id: str,
    shop_id: str,
    status: str,
    tiktok_status: str | None,
    fulfillment_type: str,
    status_at: datetime,
    lines: Sequence[OrderLineCopy],
) -> None:
    """Store (or refresh) the order copy and replace its lines; a known cancellation is kept."""
    await conn.execute(
        """
        INSERT INTO orders (order_id, shop_id, status, tiktok_status, status_at, fulfillment_type, downloaded_at)
        VALUES ($1, $2, $3, $4, $5, $6, now())
        ON CONFLICT (order_id) DO UPDATE SET
            shop_id = EXCLUDED.shop_id,
            fulfillment_type = EXCLUDED.fulfillment_type,
            downloaded_at = coalesce(orders.downloaded_at, now()),
            status = CASE WHEN orders.status_at IS NULL OR orders.status_at <= EXCLUDED.status_at
                          THEN EXCLUDED.status ELSE orders.status END,
            tiktok_status = CASE WHEN orders.status_at IS NULL OR orders.status_at <= EXCLUDED.status_at
                          THEN EXCLUDED.tiktok_status ELSE orders.tiktok_status END,
            status_at = greatest(orders.status_at, EXCLUDED.status_at),
            updated_at = now()
        """,
        order_id, shop_id, status, tiktok_status, status_at, fulfillment_type,
    )
    await conn.execute("DELETE FROM order_lines WHERE order_id = $1", order_id)
    await conn.executemany(
        "INSERT INTO order_lines (order_id, line_no, seller_sku, quantity, line_item_ids) VALUES ($1, $2, $3, $4, $5)",
        [(order_id, n, line.seller_sku, line.quantity, list(line.line_item_ids)) for n, line in enumerate(lines)],
    )


async def ensure_order_row(conn: asyncpg.Connection, *, order_id: str, shop_id: str) -> None:
    """A placeholder row, so facts that arrive before the download are not lost."""
    await conn.execute(
        "INSERT INTO orders (order_id, shop_id) VALUES ($1, $2) ON CONFLICT (order_id) DO NOTHING", order_id, shop_id
    )


async def set_order_status(
    conn: asyncpg.Connection, *, order_id: str, status: str, tiktok_status: str | None, status_at: datetime
) -> bool:
    """Apply a status unless a newer one is already stored; True if applied."""
    result = await conn.execute(
        """
        UPDATE orders SET status = $2, tiktok_status = coalesce($3, tiktok_status), status_at = $4, updated_at = now()
        WHERE order_id = $1 AND (status_at IS NULL OR status_at <= $4)
        """,
        order_id, status, tiktok_status, status_at,
    )
    return bool(result.endswith(" 1"))


async def mark_order_cancelled(
    conn: asyncpg.Connection,
    *,
    order_id: str,
    whole_order: bool,
    reason: str | None,
    line_item_ids: Sequence[str] = (),
    units: Sequence[CancelledUnits] = (),
) -> None:
    await conn.execute(
        """
        UPDATE orders SET
            cancelled = cancelled OR $2,
            cancel_reason = coalesce($3, cancel_reason),
            cancelled_line_item_ids = ARRAY(SELECT DISTINCT unnest(cancelled_line_item_ids || $4::text[])),
            cancelled_units = cancelled_units || $5::jsonb,
            updated_at = now()
        WHERE order_id = $1
        """,
        order_id, whole_order, reason, list(line_item_ids),
        [{"seller_sku": u.seller_sku, "quantity": u.quantity} for u in units],
    )


async def get_order(conn: asyncpg.Connection, order_id: str) -> OrderCopy | None:
    row = await conn.fetchrow("SELECT * FROM orders WHERE order_id = $1", order_id)
    if row is None:
        return None
    lines = await conn.fetch(
        "SELECT seller_sku, quantity, line_item_ids FROM order_lines WHERE order_id = $1 ORDER BY line_no", order_id
    )
    return OrderCopy(
        order_id=row["order_id"],
        shop_id=row["shop_id"],
        downloaded=row["downloaded_at"] is not None,
        status=row["status"],
        tiktok_status=row["tiktok_status"],
        fulfillment_type=row["fulfillment_type"],
        cancelled=row["cancelled"],
        cancel_reason=row["cancel_reason"],
        lines=tuple(OrderLineCopy(r["seller_sku"], r["quantity"], tuple(r["line_item_ids"])) for r in lines),
        cancelled_line_item_ids=frozenset(row["cancelled_line_item_ids"]),
        cancelled_units=tuple(CancelledUnits(u["seller_sku"], int(u["quantity"])) for u in row["cancelled_units"]),
    )


# --- completion -----------------------------------------------------------------------------
async def mark_completed(conn: asyncpg.Connection, order_id: str) -> bool:
    """Note that fulfillment completed the order; False if it already had."""
    result = await conn.execute(
        "UPDATE orders SET completed_at = now(), updated_at = now() WHERE order_id = $1 AND completed_at IS NULL",
        order_id,
    )
    return bool(result.endswith(" 1"))


async def is_completed(conn: asyncpg.Connection, order_id: str) -> bool:
    return bool(await conn.fetchval("SELECT completed_at IS NOT NULL FROM orders WHERE order_id = $1", order_id))
