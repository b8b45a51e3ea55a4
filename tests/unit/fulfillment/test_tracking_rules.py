"""R22/R23: TikTok's packages of an order, which are ours, and TikTok's side as shown."""

from __future__ import annotations

from typing import Any

from services.fulfillment.shipping_query.domain import (
    all_items_packed,
    batches,
    match_package,
    packages_of,
    tiktok_side,
)
from services.fulfillment.uploads.domain import Shipment, UploadStatus


def item(item_id: str, package: str = "", tracking: str = "", status: str = "AWAITING_SHIPMENT") -> dict[str, Any]:
    return {"id": item_id, "package_id": package, "tracking_number": tracking, "display_status": status,
            "shipping_provider_name": "UPS" if package else "", "shipping_provider_id": "p1" if package else ""}


def shipment(sid: str, tracking: str, ids: tuple[str, ...], package: str | None = None) -> Shipment:
    return Shipment(shipment_id=sid, order_id="O", shop_id="S", carrier="ups", tracking_number=tracking,
                    upload_status=UploadStatus.PENDING, line_item_ids=ids, tiktok_package_id=package)


def test_tiktok_side_reads_like_an_operator_would() -> None:
    assert [tiktok_side(s) for s in ("AWAITING_COLLECTION", "IN_TRANSIT", "DELIVERED")] == [
        "awaiting collection", "in transit", "delivered"]
    assert tiktok_side("SOMETHING_NEW") == "something new"
    assert tiktok_side(None) is None and tiktok_side("") is None


def test_packages_are_grouped_from_line_items_with_the_least_advanced_status() -> None:
    order = {"status": "IN_TRANSIT", "line_items": [
        item("1", "P1", "T1", "IN_TRANSIT"), item("2", "P1", "T1", "AWAITING_COLLECTION"),
        item("3", "P2", "T2", "DELIVERED"), item("4"),  # not shipped: no package
        item("5", "P3", ""),  # a package without tracking is not shipped either
    ]}
    packages = packages_of(order)
    assert [(p.package_id, p.tracking_number, p.line_item_ids, p.status) for p in packages] == [
        ("P1", "T1", ("1", "2"), "AWAITING_COLLECTION"), ("P2", "T2", ("3",), "DELIVERED")]
    assert packages[0].provider_name == "UPS"
    assert not all_items_packed(order, packages)
    assert all_items_packed({"line_items": [item("1", "P1", "T1")]}, packages_of(
        {"line_items": [item("1", "P1", "T1")]}))
    assert not all_items_packed({"line_items": []}, [])


def test_a_package_is_ours_by_package_id_or_by_tracking_on_the_same_items() -> None:
    [package] = packages_of({"line_items": [item("1", "P1", "T1"), item("2", "P1", "T1")]})
    by_id = shipment("A", "OTHER", ("9",), package="P1")
    assert match_package(package, [shipment("B", "X", ("1",)), by_id]) is by_id
    in_flight = shipment("C", " T1 ", ("2",))  # uploaded, answer not recorded yet
    assert match_package(package, [in_flight]) is in_flight
    assert match_package(package, [shipment("D", "T1", ("7",))]) is None  # same number, other items
    assert match_package(package, [shipment("E", "T9", ("1",))]) is None  # someone else's tracking
    assert match_package(package, []) is None


def test_batches_respect_tiktoks_50_ids_per_call() -> None:
    ids = [str(n) for n in range(120)]
    split = batches(ids, 50)
    assert [len(b) for b in split] == [50, 50, 20] and [i for b in split for i in b] == ids
    assert batches([], 50) == []
