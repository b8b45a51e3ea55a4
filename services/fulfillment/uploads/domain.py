"""Shipments and their upload to TikTok, the pure part: where a recorded shipment goes (admission), which
TikTok line items it covers (R24), which of the shop's TikTok shipping providers the WMS carrier means, and
whether TikTok's "already shipped" is our own earlier upload. No I/O here."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from libs.common.refusals import Conflict, NotFound
from services.fulfillment.domain import OrderCopy, cancelled_ids, refusal_reason


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


class ShipmentRejected(Exception):
    """The shipment cannot be uploaded as given; the message says why and what to do."""


def shipment_not_found(shipment_id: str) -> NotFound:
    return NotFound("shipment_not_found", f"no shipment {shipment_id!r} has been received")


def not_retryable(message: str) -> Conflict:
    """The shipment is not in a state an operator may re-queue (or re-queueing would not help)."""
    return Conflict("not_retryable", message)


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
    updated_at: datetime | None = None  # when the row last changed (a claim is overtaken when it moves)


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


# --- carrier name (or id) given by a WMS -> the TikTok shipping provider of the shop -------------------------
@dataclass(frozen=True)
class ShippingProvider:
    provider_id: str
    name: str
    delivery_option_ids: tuple[str, ...] = field(default=())


_SPACES = re.compile(r"\s+")


def _normalise(name: str) -> str:
    return _SPACES.sub(" ", name.strip()).casefold()


def match_carrier(carrier: str, providers: Sequence[ShippingProvider]) -> ShippingProvider | None:
    """The TikTok shipping provider a WMS carrier means.

    A TikTok ``shipping_provider_id`` of the shop is used as is; otherwise the name is matched
    case-insensitively (surrounding and repeated spaces ignored).
    """
    value = carrier.strip()
    for provider in providers:
        if provider.provider_id == value:
            return provider
    wanted = _normalise(value)
    for provider in providers:
        if _normalise(provider.name) == wanted:
            return provider
    return None


def unknown_carrier_message(carrier: str, shop_id: str, providers: Sequence[ShippingProvider]) -> str:
    known = ", ".join(f"{p.name} ({p.provider_id})" for p in sorted(providers, key=lambda p: p.name.casefold()))
    return f"unknown carrier {carrier!r} for shop {shop_id}; known: {known or 'none (shop has no providers)'}"


def merge_providers(rows: Iterable[tuple[str, str, str]]) -> list[ShippingProvider]:
    """(delivery_option_id, provider_id, name) rows -> one provider per id."""
    by_id: dict[str, tuple[str, list[str]]] = {}
    for option_id, provider_id, name in rows:
        entry = by_id.setdefault(provider_id, (name, []))
        entry[1].append(option_id)
    return [ShippingProvider(pid, name, tuple(options)) for pid, (name, options) in by_id.items()]
