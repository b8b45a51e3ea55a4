"""Orders in TikTok's 202309 wire shape (amounts as strings, packages as ids, newest tracking first)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from libs.sandbox.models import Order, Package


def order_to_wire(
    order: Order, packages: Mapping[str, Package], *, with_tracking: bool = False
) -> dict[str, Any]:
    """An order in the 202309 wire shape (``with_tracking`` adds the sandbox-only ``tracking``)."""
    last = packages[order.package_ids[-1]] if order.package_ids else None
    wire: dict[str, Any] = {
        "id": order.id,
        "status": order.status,
        "create_time": order.create_time,
        "update_time": order.update_time,
        "paid_time": order.paid_time,
        "is_replacement_order": order.is_replacement_order,
        "replaced_order_id": order.replaced_order_id,
        "is_on_hold_order": order.is_on_hold_order,
        "fulfillment_type": order.fulfillment_type,
        "payment_method_name": order.payment_method_name,
        "payment": {
            "currency": order.currency,
            "sub_total": order.sub_total,
            "shipping_fee": order.shipping_fee,
            "tax": order.tax,
            "total_amount": order.total_amount,
        },
        "recipient_address": dict(order.recipient),
        "buyer_message": order.buyer_message,
        "packages": [{"id": pid} for pid in order.package_ids],
        "tracking_number": last.tracking_number if last else "",
        "shipping_provider": last.shipping_provider_name if last else "",
        "shipping_provider_id": last.shipping_provider_id if last else "",
        "cancel_reason": order.cancel_reason,
        "cancellation_initiator": order.cancellation_initiator,
        "line_items": [i.to_wire() for i in order.line_items],
    }
    if with_tracking:
        wire["tracking"] = tracking_wire(order)
    return wire


def tracking_wire(order: Order) -> list[dict[str, Any]]:
    """Newest first, as TikTok lists tracking events."""
    return [
        {"description": t.description, "update_time_millis": t.update_time_millis}
        for t in reversed(order.tracking)
    ]
