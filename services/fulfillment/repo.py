"""SQL for the fulfillment schema: shops, orders, shipping providers (shipments: ``shipment_repo``).
Functions take the connection (and so the transaction) they are given."""

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


# --- shipping providers ---------------------------------------------------------------------
async def get_providers(conn: asyncpg.Connection, shop_id: str) -> tuple[list[tuple[str, str, str]], datetime | None]:
    rows = await conn.fetch(
        "SELECT delivery_option_id, provider_id, name, fetched_at FROM shipping_providers WHERE shop_id = $1"
        " ORDER BY delivery_option_id, provider_id",
        shop_id,
    )
    fetched = min((r["fetched_at"] for r in rows), default=None)
    return [(r["delivery_option_id"], r["provider_id"], r["name"]) for r in rows], fetched


async def replace_providers(conn: asyncpg.Connection, shop_id: str, rows: Sequence[tuple[str, str, str]]) -> None:
    await conn.execute("DELETE FROM shipping_providers WHERE shop_id = $1", shop_id)
    await conn.executemany(
        "INSERT INTO shipping_providers (shop_id, delivery_option_id, provider_id, name) VALUES ($1, $2, $3, $4)"
        " ON CONFLICT DO NOTHING",
        [(shop_id, option, provider, name) for option, provider, name in rows],
    )


# --- completion and the shipping-change query ------------------------------------------------
async def mark_completed(conn: asyncpg.Connection, order_id: str) -> bool:
    """Note that fulfillment completed the order; False if it already had."""
    result = await conn.execute(
        "UPDATE orders SET completed_at = now(), updated_at = now() WHERE order_id = $1 AND completed_at IS NULL",
        order_id,
    )
    return bool(result.endswith(" 1"))


async def is_completed(conn: asyncpg.Connection, order_id: str) -> bool:
    return bool(await conn.fetchval("SELECT completed_at IS NOT NULL FROM orders WHERE order_id = $1", order_id))


async def claim_query_shops(conn: asyncpg.Connection, *, interval_s: float, limit: int = 100) -> list[str]:
    """Shops with "query shipping change" on whose query is due; each is leased for ``interval_s``."""
    rows = await conn.fetch(
        """
        UPDATE shops SET shipping_query_due_at = now() + make_interval(secs => $1)
        WHERE shop_id IN (
            SELECT shop_id FROM shops
            WHERE query_shipping_change AND status = 'active' AND shipping_query_due_at <= now()
            ORDER BY shipping_query_due_at LIMIT $2
            FOR UPDATE SKIP LOCKED)
        RETURNING shop_id
        """,
        interval_s, limit,
    )
    return sorted(r["shop_id"] for r in rows)


async def open_order_ids(conn: asyncpg.Connection, shop_id: str, *, done_statuses: Sequence[str]) -> list[str]:
    """Downloaded orders of the shop whose shipping may still move on TikTok (R22).

    Not cancelled, and TikTok's side not yet final (``done_statuses``) as last queried.
    """
    rows = await conn.fetch(
        """
        SELECT order_id FROM orders
        WHERE shop_id = $1 AND downloaded_at IS NOT NULL AND NOT cancelled
          AND (queried_tiktok_status IS NULL OR NOT (queried_tiktok_status = ANY($2::text[])))
        ORDER BY order_id
        """,
        shop_id, list(done_statuses),
    )
    return [r["order_id"] for r in rows]


async def set_queried_status(conn: asyncpg.Connection, order_id: str, tiktok_status: str) -> str | None:
    """Store TikTok's order status as queried now; returns the one stored before."""
    previous: str | None = await conn.fetchval(
        "SELECT queried_tiktok_status FROM orders WHERE order_id = $1 FOR UPDATE", order_id
    )
    await conn.execute(
        "UPDATE orders SET queried_tiktok_status = $2, queried_at = now() WHERE order_id = $1", order_id, tiktok_status
    )
    return previous


# --- prompt checks of orders whose TikTok status moved (R14, R22) ----------------------------------------


async def queue_order_check(conn: asyncpg.Connection, *, order_id: str, shop_id: str) -> bool:
    """Ask TikTok about the order at once, if the shop queries shipping changes and the order is still open;
    False when nothing was queued."""
    result: str = await conn.execute(
        """
        INSERT INTO order_checks (order_id, shop_id)
        SELECT $1, $2 FROM shops s WHERE s.shop_id = $2 AND s.query_shipping_change AND s.status = 'active'
          AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.order_id = $1 AND (o.cancelled OR o.completed_at IS NOT NULL))
        ON CONFLICT (order_id) DO UPDATE SET due_at = now()
        """,
        order_id, shop_id)
    return result.endswith("1")


async def claim_order_checks(conn: asyncpg.Connection, *, limit: int, lease_s: float) -> list[asyncpg.Record]:
    """Due checks, reserved for ``lease_s`` (a crashed worker's reservation runs out and the check is retried)."""
    return list(await conn.fetch(
        "UPDATE order_checks SET due_at = now() + make_interval(secs => $2), attempts = attempts + 1"
        " WHERE order_id IN (SELECT order_id FROM order_checks WHERE due_at <= now() ORDER BY due_at LIMIT $1"
        " FOR UPDATE SKIP LOCKED) RETURNING order_id, shop_id, attempts", limit, lease_s))


async def done_order_checks(conn: asyncpg.Connection, order_ids: Sequence[str]) -> None:
    await conn.execute("DELETE FROM order_checks WHERE order_id = ANY($1::text[])", list(order_ids))
