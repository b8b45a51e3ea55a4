"""Use cases of the shipments fulfillment records (from ShipmentCreated) and uploads to TikTok: recording one,
admitting it (now, or once its order is downloaded), releasing those held while the shop was not authorised, and
re-queueing a failed one. Consumer use cases run in the consumer's transaction (``conn``); API use cases open
their own. The upload itself happens later, in :mod:`services.fulfillment.uploads.worker`."""

from __future__ import annotations

from dataclasses import replace

import asyncpg
import structlog

from libs.common.events.shipments import ShipmentCreated
from services.fulfillment import repo
from services.fulfillment.uploads import repo as shipments
from services.fulfillment.uploads.domain import (
    RETRYABLE_STATUSES,
    Admission,
    RequestedLine,
    Shipment,
    UploadStatus,
    admit,
    not_retryable,
    shipment_not_found,
)

log = structlog.get_logger(__name__)


async def admit_shipment(conn: asyncpg.Connection, shipment: Shipment) -> Admission:
    """Where a shipment goes now (the order must be locked by the caller)."""
    shop = await repo.get_shop(conn, shipment.shop_id)
    order = await repo.get_order(conn, shipment.order_id)
    claimed = await shipments.claimed_line_item_ids(conn, shipment.order_id, except_shipment=shipment.shipment_id)
    allowed = shop is not None and shop.allow_tracking_upload
    return admit(shipment, order=order, tracking_allowed=allowed, claimed=claimed)


async def record_shipment(conn: asyncpg.Connection, data: ShipmentCreated, *, event_id: str) -> Shipment | None:
    """Record a ShipmentCreated once per shipment_id; None when it was already recorded."""
    await repo.lock_order(conn, data.order_id)
    bound = log.bind(shipment_id=data.shipment_id, order_id=data.order_id, shop_id=data.shop_id, event_id=event_id)
    existing = await shipments.get_shipment(conn, data.shipment_id)
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
    await shipments.insert_shipment(conn, shipment, event_id=event_id)
    log_method = bound.warning if admission.status in (UploadStatus.FAILED, UploadStatus.NOT_UPLOADED) else bound.info
    log_method("shipment recorded", upload_status=admission.status.value, error=admission.error,
               line_item_ids=list(admission.line_item_ids))
    return shipment


async def retry_shipment(pool: asyncpg.Pool, shipment_id: str) -> Shipment:
    """Re-queue a failed (or not uploaded) shipment: it is admitted again from what is known now."""
    async with pool.acquire() as conn, conn.transaction():
        current = await shipments.get_shipment(conn, shipment_id)
        if current is None:
            raise shipment_not_found(shipment_id)
        await repo.lock_order(conn, current.order_id)
        current = await shipments.get_shipment(conn, shipment_id, for_update=True)
        assert current is not None
        if current.upload_status not in RETRYABLE_STATUSES:
            raise not_retryable(
                f"shipment {shipment_id} is {current.upload_status.value}; only "
                f"{' or '.join(sorted(s.value for s in RETRYABLE_STATUSES))} shipments can be retried"
            )
        admission = await admit_shipment(conn, current)
        if admission.status in (UploadStatus.NOT_UPLOADED, UploadStatus.FAILED):
            raise not_retryable(f"shipment {shipment_id} still cannot be uploaded: {admission.error}")
        await shipments.set_admission(
            conn, shipment_id, status=admission.status, line_item_ids=admission.line_item_ids, error=admission.error
        )
        log.info("shipment re-queued", shipment_id=shipment_id, order_id=current.order_id,
                 upload_status=admission.status.value, error=admission.error)
        updated = await shipments.get_shipment(conn, shipment_id)
        assert updated is not None
        return updated


async def admit_waiting(conn: asyncpg.Connection, order_id: str) -> None:
    """The order was downloaded (and is locked by the caller): admit the shipments that waited for it."""
    for shipment in await shipments.shipments_of_order(conn, order_id, status=UploadStatus.WAITING_FOR_ORDER):
        admission = await admit_shipment(conn, shipment)
        await shipments.set_admission(
            conn, shipment.shipment_id, status=admission.status,
            line_item_ids=admission.line_item_ids, error=admission.error,
        )
        log.info(
            "waiting shipment admitted", shipment_id=shipment.shipment_id, order_id=order_id,
            upload_status=admission.status.value, error=admission.error,
        )


async def release_held(conn: asyncpg.Connection, shop_id: str) -> None:
    """The shop is active (authorised) again: the shipments held meanwhile are due now."""
    released = await shipments.release_held(conn, shop_id)
    if released:
        log.info("shipments held while the shop was not authorised are due now", shop_id=shop_id, count=released)
