"""Pure fulfillment rules: which TikTok line items a shipment covers, whether an order can be
shipped, carrier -> shipping provider matching, retry timing. No I/O here."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class UploadStatus(StrEnum):
    PENDING = "pending"  # waiting for the upload worker
    UPLOADED = "uploaded"  # TikTok has the tracking
    NOT_UPLOADED = "not_uploaded"  # deliberately not sent (tracking upload switched off)
    FAILED = "failed"  # needs an operator: the error says why; POST /shipments/{id}/retry
    WAITING_FOR_ORDER = "waiting_for_order"  # the order's OrderDownloaded has not arrived yet


class ShipmentSource(StrEnum):
    WMS = "wms"  # a ShipmentCreated from the WMS
    MANUAL = "manual"  # an operator: POST /orders/{id}/ship, `ttshop orders ship` (R21)
    TIKTOK = "tiktok"  # found on TikTok by the shipping-change query: FBT or shipped outside (R22, R14)


#: Shipments in these states hold their line items: another shipment cannot take them.
CLAIMING_STATUSES = frozenset({UploadStatus.PENDING, UploadStatus.UPLOADED})
#: Shipments an operator may re-queue.
RETRYABLE_STATUSES = frozenset({UploadStatus.FAILED, UploadStatus.NOT_UPLOADED})

TIKTOK_FULFILLED = "TIKTOK"


class ShipmentRejected(Exception):
    """The shipment cannot be uploaded as given; the message says why and what to do."""


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


@dataclass(frozen=True)
class RequestedLine:
    seller_sku: str
    quantity: int


@dataclass(frozen=True)
class Shipment:
    """One ShipmentCreated as recorded, with its upload state."""

    shipment_id: str
    order_id: str
    shop_id: str
    carrier: str
    tracking_number: str
    upload_status: UploadStatus
    requested_lines: tuple[RequestedLine, ...] | None = None
    requested_line_item_ids: tuple[str, ...] | None = None
    line_item_ids: tuple[str, ...] = ()
    shipping_provider_id: str | None = None
    error: str | None = None
    tiktok_package_id: str | None = None
    attempts: int = 0
    next_attempt_at: datetime | None = None
    shipped_at: datetime | None = None
    created_at: datetime | None = None
    uploaded_at: datetime | None = None
    source: ShipmentSource = ShipmentSource.WMS
    tiktok_status: str | None = None  # TikTok's side of the package (R23), as last queried
    event_id: str | None = None  # the ShipmentCreated that recorded it


@dataclass(frozen=True)
class Admission:
    """Where a shipment goes when recorded (or re-queued): its status, line items and reason."""

    status: UploadStatus
    line_item_ids: tuple[str, ...] = ()
    error: str | None = None


def tracking_upload_off_message(shop_id: str) -> str:
    return (
        f"tracking upload off for shop {shop_id}: turn it on with `ttshop shops settings {shop_id} "
        "--allow-tracking-upload on`, then retry the shipment"
    )


def admit(
    shipment: Shipment, *, order: OrderCopy | None, tracking_allowed: bool, claimed: Iterable[str]
) -> Admission:
    """Decide what happens to a shipment now, from what is known about its shop and order."""
    if not tracking_allowed:
        return Admission(UploadStatus.NOT_UPLOADED, error=tracking_upload_off_message(shipment.shop_id))
    if order is not None and order.shop_id != shipment.shop_id:
        return Admission(
            UploadStatus.FAILED,
            error=f"order {order.order_id} belongs to shop {order.shop_id}, not {shipment.shop_id}",
        )
    refusal = refusal_reason(order) if order is not None else None
    if refusal is not None:
        return Admission(UploadStatus.FAILED, error=refusal)
    if order is None or not order.downloaded:
        return Admission(
            UploadStatus.WAITING_FOR_ORDER,
            error=f"order {shipment.order_id} has not been downloaded yet; uploads when it is",
        )
    try:
        ids = resolve_line_items(
            order,
            claimed=claimed,
            lines=shipment.requested_lines,
            line_item_ids=shipment.requested_line_item_ids,
        )
    except ShipmentRejected as exc:
        return Admission(UploadStatus.FAILED, error=str(exc))
    return Admission(UploadStatus.PENDING, tuple(ids))


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


def resolve_line_items(
    order: OrderCopy,
    *,
    claimed: Iterable[str],
    lines: Sequence[RequestedLine] | None,
    line_item_ids: Sequence[str] | None,
) -> list[str]:
    """The TikTok line item ids a shipment covers (R24: partial shipments).

    * ``line_item_ids`` given: each must belong to the order and be neither shipped nor cancelled;
    * ``lines`` given: for each SKU, ``quantity`` of its units not yet shipped, in the order's order;
    * neither: every unit not yet shipped nor cancelled.

    ``claimed`` are the ids other shipments of this order already hold. Raises
    :class:`ShipmentRejected` with the reason when the request cannot be satisfied.
    """
    taken = set(claimed)
    gone = cancelled_ids(order, taken)
    all_ids = [i for line in order.lines for i in line.line_item_ids]
    if line_item_ids is not None:
        if len(set(line_item_ids)) != len(line_item_ids):
            raise ShipmentRejected(f"line_item_ids {list(line_item_ids)} repeat an id")
        known = set(all_ids)
        problems = []
        unknown = [i for i in line_item_ids if i not in known]
        if unknown:
            problems.append(f"{unknown} are not line items of order {order.order_id} (it has {all_ids})")
        shipped = [i for i in line_item_ids if i in taken]
        if shipped:
            problems.append(f"{shipped} are already shipped by another shipment")
        cancelled = [i for i in line_item_ids if i in gone]
        if cancelled:
            problems.append(f"{cancelled} are cancelled")
        if problems:
            raise ShipmentRejected("; ".join(problems))
        return list(line_item_ids)
    free = [i for i in all_ids if i not in taken and i not in gone]
    if lines is None:
        if not free:
            raise ShipmentRejected(f"order {order.order_id} has no unshipped, uncancelled line items left")
        return free
    return _pick_by_sku(order, lines, set(free))


def _pick_by_sku(order: OrderCopy, lines: Sequence[RequestedLine], free: set[str]) -> list[str]:
    wanted: dict[str, int] = {}
    for line in lines:
        wanted[line.seller_sku] = wanted.get(line.seller_sku, 0) + line.quantity
    skus = {line.seller_sku for line in order.lines}
    problems: list[str] = []
    picked: list[str] = []
    for sku, quantity in wanted.items():
        if sku not in skus:
            problems.append(f"SKU {sku!r} is not in order {order.order_id} (it has {sorted(skus)})")
            continue
        available = [i for line in order.lines if line.seller_sku == sku for i in line.line_item_ids if i in free]
        if len(available) < quantity:
            problems.append(
                f"SKU {sku!r}: shipment has {quantity} unit(s) but only {len(available)} of order "
                f"{order.order_id} are neither shipped nor cancelled"
            )
            continue
        picked.extend(available[:quantity])
    if problems:
        raise ShipmentRejected("; ".join(problems))
    return picked


def retry_delay_s(attempts: int, *, initial_s: float, max_s: float) -> float:
    """Delay before the next upload attempt after ``attempts`` transient failures (capped)."""
    if attempts < 1:
        return 0.0
    return float(min(max_s, initial_s * 2.0 ** min(attempts - 1, 30)))


def tracking_matches(
    ours: str, line_item_ids: Sequence[str], tiktok_items: Sequence[dict[str, object]]
) -> str | None:
    """After "already shipped" / "duplicate tracking": the TikTok package id if TikTok holds our
    tracking number on every line item we shipped (i.e. our own earlier call succeeded), else None."""
    by_id = {str(item.get("id")): item for item in tiktok_items}
    package_ids = set()
    for line_item_id in line_item_ids:
        item = by_id.get(line_item_id)
        if item is None or str(item.get("tracking_number") or "").strip() != ours.strip():
            return None
        package_ids.add(str(item.get("package_id") or ""))
    if len(package_ids) != 1 or "" in package_ids:
        return None
    return package_ids.pop()


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
