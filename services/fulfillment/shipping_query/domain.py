"""Pure rules of the shipping-change query (R22, R23, R14): TikTok's packages of an order, which
of them are ours, and how TikTok's side is shown. No I/O here."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from services.fulfillment.uploads.domain import Shipment

#: TikTok order / package statuses once a package exists (R23: "shipped" on TikTok's side).
SHIPPED_ON_TIKTOK = ("AWAITING_COLLECTION", "IN_TRANSIT", "DELIVERED", "COMPLETED")
#: After these nothing about the shipping moves any more: the query stops asking.
FINAL_ON_TIKTOK = ("DELIVERED", "COMPLETED", "CANCELLED")
_SHOWN = {
    "AWAITING_COLLECTION": "awaiting collection",
    "IN_TRANSIT": "in transit",
    "DELIVERED": "delivered",
    "COMPLETED": "completed",
    "PARTIALLY_SHIPPING": "partially shipped",
    "AWAITING_SHIPMENT": "awaiting shipment",
}
#: Order of progress, to pick the least advanced status of a package's line items.
_PROGRESS = {s: n for n, s in enumerate(SHIPPED_ON_TIKTOK)}


def tiktok_side(status: str | None) -> str | None:
    """TikTok's status as an operator reads it next to ours: IN_TRANSIT -> "in transit"."""
    if not status:
        return None
    return _SHOWN.get(status, status.lower().replace("_", " "))


@dataclass(frozen=True)
class TikTokPackage:
    package_id: str
    tracking_number: str
    provider_id: str
    provider_name: str
    line_item_ids: tuple[str, ...]
    status: str


def packages_of(order: Mapping[str, Any]) -> list[TikTokPackage]:
    """The packages of a 202309 order, from its line items (each carries package and tracking).

    A package's status is the least advanced one of its line items; the order's status stands in
    when the items carry none.
    """
    grouped: dict[str, list[Mapping[str, Any]]] = {}
    for item in order.get("line_items") or []:
        package_id = str(item.get("package_id") or "")
        if package_id and str(item.get("tracking_number") or "").strip():
            grouped.setdefault(package_id, []).append(item)
    order_status = str(order.get("status") or "")
    packages = []
    for package_id, items in grouped.items():
        statuses = [str(i.get("display_status") or order_status) for i in items]
        known = [s for s in statuses if s in _PROGRESS]
        status = min(known, key=_PROGRESS.__getitem__) if known else statuses[0]
        first = items[0]
        packages.append(TikTokPackage(
            package_id=package_id,
            tracking_number=str(first.get("tracking_number")).strip(),
            provider_id=str(first.get("shipping_provider_id") or ""),
            provider_name=str(first.get("shipping_provider_name") or first.get("shipping_provider_id") or "unknown"),
            line_item_ids=tuple(str(i["id"]) for i in items),
            status=status,
        ))
    return sorted(packages, key=lambda p: p.package_id)


def match_package(package: TikTokPackage, shipments: Iterable[Shipment]) -> Shipment | None:
    """Our shipment behind a TikTok package: the same package id, else the same tracking number on
    some of the same line items (an upload whose answer we have not recorded yet)."""
    candidates = list(shipments)
    for shipment in candidates:
        if shipment.tiktok_package_id and shipment.tiktok_package_id == package.package_id:
            return shipment
    items = set(package.line_item_ids)
    for shipment in candidates:
        same_tracking = shipment.tracking_number.strip() == package.tracking_number
        if same_tracking and (not shipment.line_item_ids or items & set(shipment.line_item_ids)):
            return shipment
    return None


def tiktok_shipment_id(package_id: str) -> str:
    """Id of a shipment found on TikTok (FBT or shipped outside): one per TikTok package."""
    return f"tiktok-{package_id}"


def all_items_packed(order: Mapping[str, Any], packages: Sequence[TikTokPackage]) -> bool:
    """Whether every line item of the (TikTok) order is in a package."""
    ids = {str(i["id"]) for i in order.get("line_items") or []}
    packed = {i for p in packages for i in p.line_item_ids}
    return bool(ids) and ids <= packed


def batches(ids: Sequence[str], size: int) -> list[list[str]]:
    return [list(ids[n:n + size]) for n in range(0, len(ids), size)]
