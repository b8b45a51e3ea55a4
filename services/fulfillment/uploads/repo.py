"""SQL for shipments, their upload state and the upload queue, and each shop's TikTok shipping providers as
last fetched. Claims use ``FOR UPDATE SKIP LOCKED`` plus a lease in ``next_attempt_at`` so replicas never upload
the same shipment at once and a crashed worker's claim expires. Functions take the connection they are given."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import asyncpg

from services.fulfillment.uploads.domain import (
    CLAIMING_STATUSES,
    RequestedLine,
    Shipment,
    ShipmentSource,
    UploadStatus,
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
        source=ShipmentSource(row["source"]),
        tiktok_status=row["tiktok_status"],
        event_id=row["event_id"],
        updated_at=row["updated_at"],
    )


async def insert_shipment(conn: asyncpg.Connection, shipment: Shipment, *, event_id: str) -> bool:
    """Record a shipment; False when this shipment_id is already recorded (a re-send)."""
    inserted = await conn.fetchval(
        """
        INSERT INTO shipments (shipment_id, order_id, shop_id, carrier, tracking_number, requested_lines,
                               requested_line_item_ids, line_item_ids, upload_status, error, shipped_at, event_id,
                               source, shipping_provider_id, tiktok_package_id, tiktok_status, tiktok_status_at,
                               uploaded_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,
                CASE WHEN $16::text IS NULL THEN NULL ELSE now() END,
                CASE WHEN $9 = 'uploaded' THEN now() ELSE NULL END)
        ON CONFLICT (shipment_id) DO NOTHING RETURNING true
        """,
        shipment.shipment_id, shipment.order_id, shipment.shop_id, shipment.carrier, shipment.tracking_number,
        None if shipment.requested_lines is None else [
            {"seller_sku": r.seller_sku, "quantity": r.quantity} for r in shipment.requested_lines
        ],
        None if shipment.requested_line_item_ids is None else list(shipment.requested_line_item_ids),
        list(shipment.line_item_ids), shipment.upload_status.value, shipment.error, shipment.shipped_at, event_id,
        shipment.source.value, shipment.shipping_provider_id, shipment.tiktok_package_id, shipment.tiktok_status,
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
        UPDATE shipments SET next_attempt_at = now() + make_interval(secs => $2), updated_at = now(),
                             held_for_authorization = false
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
    return bool(result.endswith(" 1"))


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


async def hold_for_authorization(conn: asyncpg.Connection, shipment: Shipment, *, recheck_s: float,
                                 error: str) -> bool:
    """The shop is not authorised: keep the claimed shipment pending without counting an attempt; it is
    released when the shop is active again (:func:`release_held`), or looked at after ``recheck_s``.

    A release that came while it was in flight changed the row since its claim (``updated_at``): then it is
    due at once instead (returns False). Both statements lock the row, so one of them sees the other."""
    held: bool | None = await conn.fetchval(
        """
        UPDATE shipments SET error = $3, updated_at = now(),
            held_for_authorization = updated_at IS NOT DISTINCT FROM $4::timestamptz,
            next_attempt_at = CASE WHEN updated_at IS NOT DISTINCT FROM $4::timestamptz
                                   THEN now() + make_interval(secs => $2) ELSE now() END
        WHERE shipment_id = $1 AND upload_status = 'pending'
        RETURNING held_for_authorization
        """,
        shipment.shipment_id, recheck_s, error, shipment.updated_at,
    )
    return held is not False


async def release_held(conn: asyncpg.Connection, shop_id: str) -> int:
    """The shop is authorised again: its held shipments are due now. Its shipments in flight (claimed, so
    not held yet) are marked as overtaken first (clock time, not the transaction's), so an attempt refused
    for the old authorisation is not held after this release (:func:`hold_for_authorization`)."""
    await conn.execute(
        "UPDATE shipments SET updated_at = clock_timestamp() WHERE shop_id = $1 AND upload_status = 'pending'"
        " AND NOT held_for_authorization AND next_attempt_at > now()",
        shop_id,
    )
    result = await conn.execute(
        "UPDATE shipments SET held_for_authorization = false, next_attempt_at = now(), updated_at = now()"
        " WHERE shop_id = $1 AND held_for_authorization AND upload_status = 'pending'",
        shop_id,
    )
    return int(result.split()[-1])


async def set_tiktok_status(conn: asyncpg.Connection, shipment_id: str, tiktok_status: str) -> bool:
    """Store TikTok's side of a shipment's package (R23); True if it changed."""
    result = await conn.execute(
        """
        UPDATE shipments SET tiktok_status = $2, tiktok_status_at = now(), updated_at = now()
        WHERE shipment_id = $1 AND tiktok_status IS DISTINCT FROM $2
        """,
        shipment_id, tiktok_status,
    )
    return bool(result.endswith(" 1"))


async def next_due_in_s(conn: asyncpg.Connection) -> float | None:
    """Seconds until the earliest pending shipment is due (negative: overdue); None if none is pending."""
    value: Any = await conn.fetchval(
        "SELECT extract(epoch FROM min(next_attempt_at) - now()) FROM shipments WHERE upload_status = 'pending'"
    )
    return None if value is None else float(value)


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


async def last_uploads(conn: asyncpg.Connection) -> list[dict[str, Any]]:
    """Per shop, when a tracking number last reached TikTok (`ttshop status`)."""
    rows = await conn.fetch(
        "SELECT shop_id, max(uploaded_at) AS at FROM shipments WHERE upload_status = 'uploaded'"
        " AND uploaded_at IS NOT NULL GROUP BY shop_id ORDER BY shop_id"
    )
    return [dict(r) for r in rows]
