"""ShipmentCreated events and upload states for the fulfillment tests."""

from __future__ import annotations

from datetime import UTC, datetime

from libs.common.events.shipments import ShipmentCreated


def shipped(shop_id: str, order_id: str, shipment_id: str, tracking: str, carrier: str = "UPS",
            **extra: object) -> ShipmentCreated:
    return ShipmentCreated(shop_id=shop_id, order_id=order_id, shipment_id=shipment_id, carrier=carrier,
                           tracking_number=tracking, shipped_at=datetime.now(UTC), **extra)  # type: ignore[arg-type]


def uploaded(s: dict[str, object]) -> bool:
    return s["upload_status"] == "uploaded"


def settled(s: dict[str, object]) -> bool:
    return s["upload_status"] not in ("pending", "waiting_for_order")
