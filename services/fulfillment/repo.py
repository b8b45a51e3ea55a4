"""SQL for the fulfillment schema. Functions take the connection (and so the transaction) given."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg

from services.fulfillment.domain import (
    CLAIMING_STATUSES,
    CancelledUnits,
    OrderCopy,
    OrderLineCopy,
    RequestedLine,
    Shipment,
    UploadStatus,
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
    return result.endswith(" 1")


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


# --- shipments ------------------------------------------------------------------------------
def _shipment(row: asyncpg.Record) -> Shipment:
    requested = row["requested_lines"]
    ids = row["requested_line_item_ids"]
    return Shipment(
        shipment_id=row["shipment_id"],
        order_id=row["order_id"],
        shop_id=row["shop_id"],
        carrier=row["carrier"],
        tracking_number=row["tracking_number"],
        upload_status=UploadStatus(row["upload_status"]),
        requested_lines=None if requested is None else tuple(
            RequestedLine(r["seller_sku"], int(r["quantity"])) for r in requested
        ),
        requested_line_item_ids=None if ids is None else tuple(ids),
        line_item_ids=tuple(row["line_item_ids"]),
        shipping_provider_id=row["shipping_provider_id"],
        error=row["error"],
        tiktok_package_id=row["tiktok_package_id"],
        attempts=row["attempts"],
        next_attempt_at=row["next_attempt_at"],
        shipped_at=row["shipped_at"],
        created_at=row["created_at"],
        uploaded_at=row["uploaded_at"],
    )


async def insert_shipment(conn: asyncpg.Connection, shipment: Shipment, *, event_id: str) -> bool:
    """Record a shipment; False when this shipment_id is already recorded (a re-send)."""
    inserted = await conn.fetchval(
        """
        INSERT INTO shipments (shipment_id, order_id, shop_id, carrier, tracking_number, requested_lines,
                               requested_line_item_ids, line_item_ids, upload_status, error, shipped_at, event_id)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
        ON CONFLICT (shipment_id) DO NOTHING RETURNING true
        """,
        shipment.shipment_id, shipment.order_id, shipment.shop_id, shipment.carrier, shipment.tracking_number,
        None if shipment.requested_lines is None else [
            {"seller_sku": r.seller_sku, "quantity": r.quantity} for r in shipment.requested_lines
        ],
        None if shipment.requested_line_item_ids is None else list(shipment.requested_line_item_ids),
        list(shipment.line_item_ids), shipment.upload_status.value, shipment.error, shipment.shipped_at, event_id,
    )
    return bool(inserted)


async def get_shipment(conn: asyncpg.Connection, shipment_id: str, *, for_update: bool = False) -> Shipment | None:
    sql = "SELECT * FROM shipments WHERE shipment_id = $1" + (" FOR UPDATE" if for_update else "")
    row = await conn.fetchrow(sql, shipment_id)
    return None if row is None else _shipment(row)


async def list_shipments(
    conn: asyncpg.Connection, *, order_id: str | None = None, status: str | None = None, limit: int = 100
) -> list[Shipment]:
    rows = await conn.fetch(
        """
        SELECT * FROM shipments WHERE ($1::text IS NULL OR order_id = $1) AND ($2::text IS NULL OR upload_status = $2)
        ORDER BY created_at DESC, shipment_id LIMIT $3
        """,
        order_id, status, limit,
    )
    return [_shipment(r) for r in rows]


async def shipments_of_order(
    conn: asyncpg.Connection, order_id: str, *, status: UploadStatus | None = None
) -> list[Shipment]:
    rows = await conn.fetch(
        "SELECT * FROM shipments WHERE order_id = $1 AND ($2::text IS NULL OR upload_status = $2) ORDER BY created_at",
        order_id, None if status is None else status.value,
    )
    return [_shipment(r) for r in rows]


async def claimed_line_item_ids(
    conn: asyncpg.Connection,
    order_id: str,
    *,
    except_shipment: str | None = None,
    statuses: frozenset[UploadStatus] = CLAIMING_STATUSES,
) -> set[str]:
    """Line item ids held by the order's shipments in ``statuses`` (default: pending or uploaded)."""
    rows = await conn.fetch(
        "SELECT unnest(line_item_ids) AS id FROM shipments"
        " WHERE order_id = $1 AND upload_status = ANY($2::text[]) AND shipment_id IS DISTINCT FROM $3",
        order_id, [s.value for s in statuses], except_shipment,
    )
    return {r["id"] for r in rows}


async def set_admission(
    conn: asyncpg.Connection, shipment_id: str, *, status: UploadStatus, line_item_ids: Sequence[str], error: str | None
) -> None:
    """(Re)set where a shipment stands; a pending one becomes due at once with a fresh retry budget."""
    await conn.execute(
        """
        UPDATE shipments SET upload_status = $2, line_item_ids = $3, error = $4, attempts = 0,
                             next_attempt_at = now(), updated_at = now()
        WHERE shipment_id = $1
        """,
        shipment_id, status.value, list(line_item_ids), error,
    )


async def claim_due(conn: asyncpg.Connection, *, limit: int, lease_s: float) -> list[Shipment]:
    """Reserve due pending shipments for this worker for ``lease_s`` (other workers skip them)."""
    rows = await conn.fetch(
        """
        UPDATE shipments SET next_attempt_at = now() + make_interval(secs => $2), updated_at = now()
        WHERE shipment_id IN (
            SELECT shipment_id FROM shipments
            WHERE upload_status = 'pending' AND next_attempt_at <= now()
            ORDER BY next_attempt_at, created_at
            LIMIT $1
            FOR UPDATE SKIP LOCKED)
        RETURNING *
        """,
        limit, lease_s,
    )
    return sorted((_shipment(r) for r in rows), key=lambda s: (s.created_at or datetime.min, s.shipment_id))


async def finish_upload(
    conn: asyncpg.Connection,
    shipment_id: str,
    *,
    status: UploadStatus,
    error: str | None = None,
    provider_id: str | None = None,
    package_id: str | None = None,
) -> bool:
    """Record the outcome of an upload attempt; False if the shipment is no longer pending."""
    result = await conn.execute(
        """
        UPDATE shipments SET upload_status = $2, error = $3,
            shipping_provider_id = coalesce($4, shipping_provider_id),
            tiktok_package_id = coalesce($5, tiktok_package_id),
            attempts = attempts + 1,
            uploaded_at = CASE WHEN $2 = 'uploaded' THEN now() ELSE uploaded_at END,
            updated_at = now()
        WHERE shipment_id = $1 AND upload_status = 'pending'
        """,
        shipment_id, status.value, error, provider_id, package_id,
    )
    return result.endswith(" 1")


async def reschedule(conn: asyncpg.Connection, shipment_id: str, *, delay_s: float, error: str) -> int | None:
    """Keep a pending shipment pending after a transient failure; returns the attempts so far."""
    value: Any = await conn.fetchval(
        """
        UPDATE shipments SET attempts = attempts + 1, error = $3, updated_at = now(),
                             next_attempt_at = now() + make_interval(secs => $2)
        WHERE shipment_id = $1 AND upload_status = 'pending' RETURNING attempts
        """,
        shipment_id, delay_s, error,
    )
    return None if value is None else int(value)


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
