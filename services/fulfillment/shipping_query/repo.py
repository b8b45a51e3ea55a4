"""SQL of the shipping-change query (R22, R23, R14): which shops are due for their periodic query, which of
their orders are still open on TikTok's side, TikTok's status as last queried, and the prompt checks of orders
whose TikTok status moved. Functions take the connection they are given."""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg


# --- the periodic query of each shop ------------------------------------------------------------------------
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
