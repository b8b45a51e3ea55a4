"""Manual tracking (R21): an operator ships an order by hand (``POST /orders/{id}/ship``,
``ttshop orders ship``).

The shipment is recorded like a WMS one (source ``manual``) and uploaded by the same worker; once
TikTok has the tracking and nothing is left unshipped the worker publishes ``OrderStatusChanged``
shipped and then completed. It is also published as ``ShipmentCreated`` (DESIGN: fulfillment
produces it for manual shipments) with the id stored on the shipment, so our own consumer sees a
shipment it already holds and uploads nothing a second time.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import asyncpg
import structlog

from libs.common.events.shipments import ShipmentCreated, ShipmentLine
from libs.common.outbox import enqueue_data
from services.fulfillment import repo
from services.fulfillment.domain import event_id_for
from services.fulfillment.manual.domain import (
    ManualShipment,
    cannot_ship,
    new_shipment_id,
    order_not_known,
    tracking_upload_off,
)
from services.fulfillment.uploads import repo as shipments
from services.fulfillment.uploads.domain import Shipment, ShipmentSource, UploadStatus
from services.fulfillment.uploads.service import admit_shipment

log = structlog.get_logger(__name__)


async def ship_manually(
    pool: asyncpg.Pool, order_id: str, request: ManualShipment, *, source: str
) -> tuple[Shipment, bool]:
    """Record and queue a manual shipment; returns it and whether it is new (False: a repeat)."""
    shipment_id = request.shipment_id or new_shipment_id(order_id, request.tracking_number)
    async with pool.acquire() as conn, conn.transaction():
        await repo.lock_order(conn, order_id)
        order = await repo.get_order(conn, order_id)
        if order is None or not order.downloaded:
            raise order_not_known(order_id)
        existing = await shipments.get_shipment(conn, shipment_id)
        if existing is not None:
            if (existing.order_id, existing.tracking_number.strip()) != (order_id, request.tracking_number.strip()):
                raise cannot_ship(f"shipment id {shipment_id} is already used by another shipment")
            return existing, False
        shipped_at = datetime.now(UTC)
        shipment = Shipment(
            shipment_id=shipment_id, order_id=order_id, shop_id=order.shop_id, carrier=request.carrier.strip(),
            tracking_number=request.tracking_number.strip(), upload_status=UploadStatus.WAITING_FOR_ORDER,
            requested_lines=None if request.lines is None else tuple(request.lines),
            requested_line_item_ids=None if request.line_item_ids is None else tuple(request.line_item_ids),
            shipped_at=shipped_at, source=ShipmentSource.MANUAL,
        )
        admission = await admit_shipment(conn, shipment)
        if admission.status == UploadStatus.NOT_UPLOADED:
            raise tracking_upload_off(order.shop_id)
        if admission.status != UploadStatus.PENDING:
            raise cannot_ship(admission.error or f"order {order_id} cannot be shipped now")
        shipment = replace(shipment, upload_status=admission.status, line_item_ids=admission.line_item_ids)
        event = ShipmentCreated(
            shop_id=shipment.shop_id, order_id=order_id, shipment_id=shipment_id, carrier=shipment.carrier,
            tracking_number=shipment.tracking_number,
            lines=None if request.lines is None else [ShipmentLine(seller_sku=r.seller_sku, quantity=r.quantity)
                                                      for r in request.lines],
            line_item_ids=None if request.line_item_ids is None else list(request.line_item_ids),
            shipped_at=shipped_at,
        )
        event_id = event_id_for("manual-shipment", shipment_id)
        await shipments.insert_shipment(conn, shipment, event_id=event_id)
        await enqueue_data(conn, event, source=source, event_id=event_id)
        recorded = await shipments.get_shipment(conn, shipment_id)
    assert recorded is not None
    log.info("manual shipment recorded", shipment_id=shipment_id, order_id=order_id, shop_id=shipment.shop_id,
             line_item_ids=list(shipment.line_item_ids))
    return recorded, True
