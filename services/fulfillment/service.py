"""Fulfillment use cases that touch only our database: projections of shops and orders, recording
shipments, re-queueing them. Consumer use cases run in the consumer's transaction (``conn``);
API use cases open their own. Uploads to TikTok happen later, in :mod:`uploader`."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import asyncpg
import structlog

from libs.common.events.orders import CancellationDetected, OrderDownloaded, OrderStatusChanged
from libs.common.events.shipments import ShipmentCreated
from libs.common.events.shops import ShopConnected, ShopDisconnected, ShopSettingsChanged
from services.fulfillment import repo, shipment_repo
from services.fulfillment.domain import (
    RETRYABLE_STATUSES,
    Admission,
    CancelledUnits,
    OrderLineCopy,
    RequestedLine,
    Shipment,
    UploadStatus,
    admit,
)
from services.fulfillment.tracking_rules import SHIPPED_ON_TIKTOK

log = structlog.get_logger(__name__)

CANCELLED_STATUS = "Cancelled"


class ShipmentNotFound(LookupError):
    pass


class NotRetryable(Exception):
    """The shipment is not in a state an operator may re-queue (or re-queueing would not help)."""


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
        released = await shipment_repo.release_held(conn, data.shop_id)
        if released:
            log.info("shipments held while the shop was not authorised are due now", shop_id=data.shop_id,
                     count=released)


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
    for shipment in await shipment_repo.shipments_of_order(conn, data.order_id, status=UploadStatus.WAITING_FOR_ORDER):
        admission = await admit_shipment(conn, shipment)
        await shipment_repo.set_admission(
            conn, shipment.shipment_id, status=admission.status,
            line_item_ids=admission.line_item_ids, error=admission.error,
        )
        log.info(
            "waiting shipment admitted", shipment_id=shipment.shipment_id, order_id=data.order_id,
            upload_status=admission.status.value, error=admission.error,
        )


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
    return await repo.queue_order_check(conn, order_id=data.order_id, shop_id=data.shop_id)


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


# --- shipments ------------------------------------------------------------------------------
async def admit_shipment(conn: asyncpg.Connection, shipment: Shipment) -> Admission:
    """Where a shipment goes now (the order must be locked by the caller)."""
    shop = await repo.get_shop(conn, shipment.shop_id)
    order = await repo.get_order(conn, shipment.order_id)
    claimed = await shipment_repo.claimed_line_item_ids(conn, shipment.order_id, except_shipment=shipment.shipment_id)
    allowed = shop is not None and shop.allow_tracking_upload
    return admit(shipment, order=order, tracking_allowed=allowed, claimed=claimed)


async def record_shipment(conn: asyncpg.Connection, data: ShipmentCreated, *, event_id: str) -> Shipment | None:
    """Record a ShipmentCreated once per shipment_id; None when it was already recorded."""
    await repo.lock_order(conn, data.order_id)
    bound = log.bind(shipment_id=data.shipment_id, order_id=data.order_id, shop_id=data.shop_id, event_id=event_id)
    existing = await shipment_repo.get_shipment(conn, data.shipment_id)
    if existing is not None and existing.event_id == event_id:
        bound.info("our own ShipmentCreated (manual or found on TikTok) comes back; already recorded",
                   source=existing.source.value, upload_status=existing.upload_status.value)
        return None
    if existing is not None:
        changed = (existing.tracking_number, existing.carrier) != (data.tracking_number, data.carrier)
        bound.warning(
            "shipment already recorded; re-send ignored" + ("; its tracking/carrier differ" if changed else ""),
            upload_status=existing.upload_status.value,
        )
        return None
    shipment = Shipment(
        shipment_id=data.shipment_id,
        order_id=data.order_id,
        shop_id=data.shop_id,
        carrier=data.carrier,
        tracking_number=data.tracking_number,
        upload_status=UploadStatus.WAITING_FOR_ORDER,
        requested_lines=None if data.lines is None else tuple(
            RequestedLine(line.seller_sku, line.quantity) for line in data.lines
        ),
        requested_line_item_ids=None if data.line_item_ids is None else tuple(data.line_item_ids),
        shipped_at=data.shipped_at,
    )
    admission = await admit_shipment(conn, shipment)
    shipment = replace(
        shipment, upload_status=admission.status, line_item_ids=admission.line_item_ids, error=admission.error
    )
    await shipment_repo.insert_shipment(conn, shipment, event_id=event_id)
    log_method = bound.warning if admission.status in (UploadStatus.FAILED, UploadStatus.NOT_UPLOADED) else bound.info
    log_method("shipment recorded", upload_status=admission.status.value, error=admission.error,
               line_item_ids=list(admission.line_item_ids))
    return shipment


async def retry_shipment(pool: asyncpg.Pool, shipment_id: str) -> Shipment:
    """Re-queue a failed (or not uploaded) shipment: it is admitted again from what is known now."""
    async with pool.acquire() as conn, conn.transaction():
        current = await shipment_repo.get_shipment(conn, shipment_id)
        if current is None:
            raise ShipmentNotFound(shipment_id)
        await repo.lock_order(conn, current.order_id)
        current = await shipment_repo.get_shipment(conn, shipment_id, for_update=True)
        assert current is not None
        if current.upload_status not in RETRYABLE_STATUSES:
            raise NotRetryable(
                f"shipment {shipment_id} is {current.upload_status.value}; only "
                f"{' or '.join(sorted(s.value for s in RETRYABLE_STATUSES))} shipments can be retried"
            )
        admission = await admit_shipment(conn, current)
        if admission.status in (UploadStatus.NOT_UPLOADED, UploadStatus.FAILED):
            raise NotRetryable(f"shipment {shipment_id} still cannot be uploaded: {admission.error}")
        await shipment_repo.set_admission(
            conn, shipment_id, status=admission.status, line_item_ids=admission.line_item_ids, error=admission.error
        )
        log.info("shipment re-queued", shipment_id=shipment_id, order_id=current.order_id,
                 upload_status=admission.status.value, error=admission.error)
        updated = await shipment_repo.get_shipment(conn, shipment_id)
        assert updated is not None
        return updated
