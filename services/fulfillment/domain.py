"""What every fulfillment feature knows about an order (its copy from OrderDownloaded and later events) and
the order-level rules: whether tracking can be uploaded for it at all, which line items cancellations took, our
status once tracking is on TikTok, and the ids of the events we publish about it. No I/O here."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

TIKTOK_FULFILLED = "TIKTOK"
CANCELLED_STATUS = "Cancelled"
COMPLETED_STATUS = "Completed"
#: Namespace of fulfillment's deterministic event ids (unchanged since round 1: ids stay stable).
EVENT_NAMESPACE = uuid.UUID("6a1f8f0e-3c1b-4a52-9a57-2f1c0f5e7d21")


def event_id_for(kind: str, key: str) -> str:
    """The id of an event that must exist once (same kind and key, same id)."""
    return str(uuid.uuid5(EVENT_NAMESPACE, f"{kind}:{key}"))


@dataclass(frozen=True)
class OrderLineCopy:
    seller_sku: str
    quantity: int
    line_item_ids: tuple[str, ...]


@dataclass(frozen=True)
class CancelledUnits:
    """A partial cancellation given only as SKU and quantity (no line item ids)."""

    seller_sku: str
    quantity: int


@dataclass(frozen=True)
class OrderCopy:
    """What fulfillment knows about an order (from OrderDownloaded and later events)."""

    order_id: str
    shop_id: str
    downloaded: bool
    status: str | None = None
    tiktok_status: str | None = None
    fulfillment_type: str | None = None
    cancelled: bool = False
    cancel_reason: str | None = None
    lines: tuple[OrderLineCopy, ...] = ()
    cancelled_line_item_ids: frozenset[str] = frozenset()
    cancelled_units: tuple[CancelledUnits, ...] = ()


def refusal_reason(order: OrderCopy) -> str | None:
    """Why no tracking can be uploaded for this order at all, or None if it can be."""
    if order.cancelled:
        why = f" ({order.cancel_reason})" if order.cancel_reason else ""
        return f"order {order.order_id} is cancelled{why}; tracking was not uploaded"
    if order.fulfillment_type == TIKTOK_FULFILLED:
        return (
            f"order {order.order_id} is fulfilled by TikTok (FBT); TikTok ships it and the seller "
            "cannot upload tracking"
        )
    return None


def cancelled_ids(order: OrderCopy, claimed: Iterable[str]) -> set[str]:
    """Line item ids taken out of the order by cancellations.

    Explicit ids count as given. A cancellation by SKU and quantity only takes that many of the
    SKU's units, preferring units no shipment holds, last ids first.
    """
    out = set(order.cancelled_line_item_ids)
    taken = set(claimed)
    for units in order.cancelled_units:
        ids = [i for line in order.lines if line.seller_sku == units.seller_sku for i in line.line_item_ids]
        already = sum(1 for i in ids if i in out)
        needed = units.quantity - already
        for candidate in [*reversed([i for i in ids if i not in taken]), *reversed(ids)]:
            if needed <= 0:
                break
            if candidate not in out:
                out.add(candidate)
                needed -= 1
    return out


SHIPPED_STATUS = "Shipped"
PARTIALLY_SHIPPED_STATUS = "Partially Shipped"


def status_after_upload(order: OrderCopy | None, uploaded: Iterable[str]) -> str:
    """Our order status once these line items have tracking on TikTok (R24: partial shipments)."""
    if order is None or not order.lines:
        return SHIPPED_STATUS
    done = set(uploaded)
    gone = cancelled_ids(order, done)
    remaining = [i for line in order.lines for i in line.line_item_ids if i not in done and i not in gone]
    return PARTIALLY_SHIPPED_STATUS if remaining else SHIPPED_STATUS
