"""SQL for after-sales: the record of each cancellation seen on TikTok (R18), the cancellations we sent (R17)
and the refunds we requested (R16). Functions take the connection; the use case owns the transaction."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import asyncpg

from libs.common.recordset import Recordset

_CANCELLATIONS = Recordset.of(
    "order_id text, shop_id text, line_item_ids text[], whole_order boolean, initiated_by text, reason text,"
    " tiktok_status text, applied boolean, not_applied_reason text, published boolean"
)


async def record_cancellations(conn: asyncpg.Connection, rows: list[dict[str, Any]]) -> None:
    """Record cancellations (one round trip for a page)."""
    if rows:
        await conn.execute(_CANCELLATIONS.insert("order_cancellations"), rows)


async def cancellations_of(conn: asyncpg.Connection, order_id: str) -> list[asyncpg.Record]:
    return list(
        await conn.fetch(
            f"SELECT id, {_CANCELLATIONS.names()}, detected_at FROM order_cancellations WHERE order_id = $1 ORDER BY id", order_id
        )
    )


async def refunds_of(conn: asyncpg.Connection, order_id: str) -> list[asyncpg.Record]:
    """The refunds we asked TikTok for on this order (R16), oldest first."""
    return list(await conn.fetch(
        "SELECT return_id, line_item_ids, reason, return_status, currency, amount, requested_at FROM order_refunds"
        " WHERE order_id = $1 ORDER BY requested_at, return_id", order_id))


async def record_cancel_request(
    conn: asyncpg.Connection, *, order_id: str, shop_id: str, line_item_ids: list[str], reason: str,
    tiktok_status: str, cancellation_id: str | None, cancel_status: str | None,
) -> uuid.UUID:
    request_id = uuid.uuid4()
    await conn.execute(
        "INSERT INTO cancel_requests (id, order_id, shop_id, line_item_ids, reason, tiktok_status,"
        " cancellation_id, cancel_status) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        request_id, order_id, shop_id, line_item_ids, reason, tiktok_status, cancellation_id, cancel_status,
    )
    return request_id


async def record_refund(
    conn: asyncpg.Connection, *, return_id: str, order_id: str, shop_id: str, line_item_ids: list[str], reason: str,
    return_status: str | None, currency: str | None, amount: Decimal | None,
) -> bool:
    """Store TikTok's refund request once (by its return id); False when it was stored already."""
    inserted = await conn.fetchval(
        "INSERT INTO order_refunds (return_id, order_id, shop_id, line_item_ids, reason, return_status,"
        " currency, amount) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING RETURNING true",
        return_id, order_id, shop_id, line_item_ids, reason, return_status, currency, amount,
    )
    return bool(inserted)

