"""Fulfillment's shared use cases, run in the caller's transaction: keeping the shop and order projections
(from shops.changed and orders.*; what they change for the features), and the ``OrderStatusChanged`` events the
features publish through the outbox: shipped (tracking on TikTok), completed (manual ship R21, FBT R14) and
status (TikTok's side of the shipping moved, R23). Deterministic event ids where an event must exist once."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

import asyncpg
import structlog

from libs.common.events.orders import CancellationDetected, OrderDownloaded, OrderStatusChanged, Tracking
from libs.common.events.shops import ShopConnected, ShopDisconnected, ShopSettingsChanged
from libs.common.outbox import enqueue_data
from services.fulfillment import repo
from services.fulfillment.domain import (
    CANCELLED_STATUS,
    COMPLETED_STATUS,
    SHIPPED_STATUS,
    CancelledUnits,
    OrderLineCopy,
    event_id_for,
    status_after_upload,
)
from services.fulfillment.shipping_query import repo as query_repo
from services.fulfillment.shipping_query.domain import SHIPPED_ON_TIKTOK
from services.fulfillment.uploads import repo as shipments
from services.fulfillment.uploads import service as uploads
from services.fulfillment.uploads.domain import Shipment, UploadStatus

log = structlog.get_logger(__name__)


# --- shops ----------------------------------------------------------------------------------
async def apply_shop_event(
    conn: asyncpg.Connection, data: ShopConnected | ShopSettingsChanged | ShopDisconnected
) -> None:
    if isinstance(data, ShopSettingsChanged):
        await repo.upsert_shop(
            conn, shop_id=data.shop_id, status=data.status, status_reason=data.reason,
            allow_tracking_upload=data.allow_tracking_upload, query_shipping_change=data.query_shipping_change,
        )
    elif isinstance(data, ShopConnected):
        await repo.upsert_shop(conn, shop_id=data.shop_id, status=data.status)
    else:
        await repo.upsert_shop(conn, shop_id=data.shop_id, status="disconnected", status_reason=data.reason)
        return
    if data.status == "active":
        await uploads.release_held(conn, data.shop_id)


# --- orders ---------------------------------------------------------------------------------
async def apply_order_downloaded(conn: asyncpg.Connection, data: OrderDownloaded, *, at: datetime) -> None:
    """Keep the order copy, then admit shipments that were waiting for it."""
    await repo.lock_order(conn, data.order_id)
    await repo.save_downloaded_order(
        conn,
        order_id=data.order_id,
        shop_id=data.shop_id,
        status=data.status,
        tiktok_status=data.tiktok_status,
        fulfillment_type=data.fulfillment_type,
        status_at=at,
        lines=[OrderLineCopy(line.seller_sku, line.quantity, tuple(line.line_item_ids)) for line in data.lines],
    )
    await uploads.admit_waiting(conn, data.order_id)


async def apply_status_changed(conn: asyncpg.Connection, data: OrderStatusChanged, *, at: datetime,
                               ours: bool = False) -> bool:
    """Store the order's new status; when TikTok says it moved on its side (shipped by TikTok, in transit,
    delivered…), queue a prompt check of its packages and tracking (R14, R22). ``ours``: an event this
    service published itself (its own query's result), which must not queue another check. True: queued."""
    await repo.lock_order(conn, data.order_id)
    await repo.ensure_order_row(conn, order_id=data.order_id, shop_id=data.shop_id)
    await repo.set_order_status(
        conn, order_id=data.order_id, status=data.status, tiktok_status=data.tiktok_status, status_at=at
    )
    if data.kind == "cancelled" or data.status == CANCELLED_STATUS:
        await repo.mark_order_cancelled(conn, order_id=data.order_id, whole_order=True, reason=None)
        return False
    if ours or data.tiktok_status not in SHIPPED_ON_TIKTOK:
        return False
    return await query_repo.queue_order_check(conn, order_id=data.order_id, shop_id=data.shop_id)


async def apply_cancellation(conn: asyncpg.Connection, data: CancellationDetected) -> None:
    """Remember an applied cancellation: later shipments of cancelled units are refused.

    A cancellation that was not applied (the order had already shipped, R18) changes nothing here.
    """
    if not data.applied:
        log.info("cancellation not applied upstream; ignored", order_id=data.order_id, reason=data.not_applied_reason)
        return
    await repo.lock_order(conn, data.order_id)
    await repo.ensure_order_row(conn, order_id=data.order_id, shop_id=data.shop_id)
    ids = [i for line in data.lines or [] for i in line.line_item_ids]
    units = [CancelledUnits(line.seller_sku, line.quantity) for line in data.lines or [] if not line.line_item_ids]
    await repo.mark_order_cancelled(
        conn, order_id=data.order_id, whole_order=data.lines is None, reason=data.reason,
        line_item_ids=ids, units=units,
    )


# --- the OrderStatusChanged events the features publish -------------------------------------
def tracking_of(uploaded: Iterable[Shipment], carrier_names: Mapping[str, str] | None = None) -> list[Tracking]:
    """Tracking of the given shipments; ``carrier_names`` (shipment id -> name) overrides the WMS's carrier."""
    names = carrier_names or {}
    return [
        Tracking(tracking_number=s.tracking_number, carrier=names.get(s.shipment_id, s.carrier),
                 package_id=s.tiktok_package_id)
        for s in uploaded
    ]


async def publish_shipped(
    conn: asyncpg.Connection, shipment: Shipment, *, source: str, carrier_name: str | None = None,
    package_id: str | None = None,
) -> str:
    """OrderStatusChanged(shipped) for a shipment whose tracking TikTok now has; returns our new status."""
    order = await repo.get_order(conn, shipment.order_id)
    uploaded = await shipments.shipments_of_order(conn, shipment.order_id, status=UploadStatus.UPLOADED)
    status = status_after_upload(order, {i for s in uploaded for i in s.line_item_ids})
    names = {shipment.shipment_id: carrier_name} if carrier_name else {}
    data = OrderStatusChanged(
        shop_id=shipment.shop_id,
        order_id=shipment.order_id,
        status=status,
        kind="shipped",
        previous_status=order.status if order is not None else None,
        tracking=tracking_of(uploaded, names),
        occurred_at=datetime.now(UTC),
        details={
            "shipment_id": shipment.shipment_id,
            "line_item_ids": list(shipment.line_item_ids),
            "package_id": package_id or shipment.tiktok_package_id,
            "partial": status != SHIPPED_STATUS,
            "source": shipment.source.value,
        },
    )
    await enqueue_data(conn, data, source=source, event_id=event_id_for("shipment-uploaded", shipment.shipment_id))
    return status


async def publish_completed(
    conn: asyncpg.Connection, *, order_id: str, shop_id: str, source: str, reason: str,
    tiktok_status: str | None = None,
) -> bool:
    """OrderStatusChanged(completed, Completed), once per order; False if it was published before."""
    if not await repo.mark_completed(conn, order_id):
        return False
    uploaded = await shipments.shipments_of_order(conn, order_id, status=UploadStatus.UPLOADED)
    data = OrderStatusChanged(
        shop_id=shop_id,
        order_id=order_id,
        status=COMPLETED_STATUS,
        kind="completed",
        tiktok_status=tiktok_status,
        previous_status=SHIPPED_STATUS,
        tracking=tracking_of(uploaded),
        occurred_at=datetime.now(UTC),
        details={"reason": reason},
    )
    await enqueue_data(conn, data, source=source, event_id=event_id_for("order-completed", order_id))
    return True


async def publish_tiktok_status(
    conn: asyncpg.Connection, *, order_id: str, shop_id: str, source: str, tiktok_status: str,
    previous_tiktok_status: str | None, shown: str, packages: list[dict[str, Any]],
) -> None:
    """OrderStatusChanged(status): TikTok's side of the order moved (R23); called once per change."""
    order = await repo.get_order(conn, order_id)
    uploaded = await shipments.shipments_of_order(conn, order_id, status=UploadStatus.UPLOADED)
    if await repo.is_completed(conn, order_id):
        ours = COMPLETED_STATUS
    elif uploaded:  # our own shipped event may not have come back to the order copy yet
        ours = status_after_upload(order, {i for s in uploaded for i in s.line_item_ids})
    else:
        ours = order.status if order is not None and order.status else "In Process"
    data = OrderStatusChanged(
        shop_id=shop_id,
        order_id=order_id,
        status=ours,
        kind="status",
        tiktok_status=tiktok_status,
        previous_status=ours,
        tracking=tracking_of(uploaded) or None,
        occurred_at=datetime.now(UTC),
        details={"tiktok_side": shown, "previous_tiktok_status": previous_tiktok_status, "packages": packages},
    )
    await enqueue_data(conn, data, source=source)
