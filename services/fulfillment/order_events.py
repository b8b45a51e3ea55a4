"""The ``OrderStatusChanged`` events fulfillment publishes, through the outbox in the caller's
transaction: shipped (tracking on TikTok), completed (manual ship R21, FBT R14) and status
(TikTok's side of the shipping moved, R23). Deterministic event ids where an event must exist once."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

import asyncpg

from libs.common.events.orders import OrderStatusChanged, Tracking
from libs.common.outbox import enqueue_data
from services.fulfillment import repo, shipment_repo
from services.fulfillment.domain import SHIPPED_STATUS, Shipment, UploadStatus, status_after_upload

#: Namespace of fulfillment's deterministic event ids (unchanged since round 1: ids stay stable).
EVENT_NAMESPACE = uuid.UUID("6a1f8f0e-3c1b-4a52-9a57-2f1c0f5e7d21")
COMPLETED_STATUS = "Completed"


def event_id_for(kind: str, key: str) -> str:
    return str(uuid.uuid5(EVENT_NAMESPACE, f"{kind}:{key}"))


def tracking_of(shipments: Iterable[Shipment], carrier_names: Mapping[str, str] | None = None) -> list[Tracking]:
    """Tracking of the given shipments; ``carrier_names`` (shipment id -> name) overrides the WMS's carrier."""
    names = carrier_names or {}
    return [
        Tracking(tracking_number=s.tracking_number, carrier=names.get(s.shipment_id, s.carrier),
                 package_id=s.tiktok_package_id)
        for s in shipments
    ]


async def publish_shipped(
    conn: asyncpg.Connection, shipment: Shipment, *, source: str, carrier_name: str | None = None,
    package_id: str | None = None,
) -> str:
    """OrderStatusChanged(shipped) for a shipment whose tracking TikTok now has; returns our new status."""
    order = await repo.get_order(conn, shipment.order_id)
    uploaded = await shipment_repo.shipments_of_order(conn, shipment.order_id, status=UploadStatus.UPLOADED)
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
    uploaded = await shipment_repo.shipments_of_order(conn, order_id, status=UploadStatus.UPLOADED)
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
    uploaded = await shipment_repo.shipments_of_order(conn, order_id, status=UploadStatus.UPLOADED)
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
