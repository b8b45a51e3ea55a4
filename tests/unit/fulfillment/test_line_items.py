"""Which TikTok line items a shipment covers (R24), and where a shipment goes when recorded."""

from __future__ import annotations

import pytest

from services.fulfillment.domain import CancelledUnits, OrderCopy, OrderLineCopy, status_after_upload
from services.fulfillment.uploads.domain import (
    RequestedLine,
    Shipment,
    ShipmentRejected,
    UploadStatus,
    admit,
    resolve_line_items,
)

ORDER = OrderCopy(
    order_id="O1",
    shop_id="S1",
    downloaded=True,
    fulfillment_type="SELLER",
    lines=(
        OrderLineCopy("RED-M", 3, ("r1", "r2", "r3")),
        OrderLineCopy("BLUE-L", 1, ("b1",)),
    ),
)


def resolve(order: OrderCopy = ORDER, claimed: tuple[str, ...] = (), **kwargs: object) -> list[str]:
    return resolve_line_items(
        order, claimed=claimed, lines=kwargs.get("lines"), line_item_ids=kwargs.get("line_item_ids")  # type: ignore[arg-type]
    )


def test_neither_lines_nor_ids_ships_everything_not_yet_shipped() -> None:
    assert resolve(claimed=("r1",)) == ["r2", "r3", "b1"]


def test_lines_take_unshipped_units_of_each_sku_in_order() -> None:
    picked = resolve(claimed=("r1",), lines=[RequestedLine("RED-M", 2), RequestedLine("BLUE-L", 1)])
    assert picked == ["r2", "r3", "b1"]


def test_the_same_sku_on_two_requested_lines_adds_up() -> None:
    assert resolve(lines=[RequestedLine("RED-M", 1), RequestedLine("RED-M", 1)]) == ["r1", "r2"]


def test_more_units_than_are_left_is_refused_with_the_numbers() -> None:
    with pytest.raises(ShipmentRejected, match=r"'RED-M': shipment has 3 unit\(s\) but only 2"):
        resolve(claimed=("r2",), lines=[RequestedLine("RED-M", 3)])


def test_a_sku_not_in_the_order_is_refused_naming_the_skus_it_has() -> None:
    with pytest.raises(ShipmentRejected, match=r"'GREEN' is not in order O1 \(it has \['BLUE-L', 'RED-M'\]\)"):
        resolve(lines=[RequestedLine("GREEN", 1)])


def test_explicit_ids_are_used_as_given() -> None:
    assert resolve(line_item_ids=["r3", "b1"]) == ["r3", "b1"]


def test_explicit_ids_already_shipped_or_unknown_are_refused() -> None:
    with pytest.raises(ShipmentRejected) as refused:
        resolve(claimed=("r1",), line_item_ids=["r1", "zz"])
    assert "['zz'] are not line items of order O1" in str(refused.value)
    assert "['r1'] are already shipped" in str(refused.value)


def test_nothing_left_to_ship_is_refused() -> None:
    with pytest.raises(ShipmentRejected, match="no unshipped, uncancelled line items"):
        resolve(claimed=("r1", "r2", "r3", "b1"))


def test_cancelled_ids_are_never_shipped() -> None:
    order = OrderCopy(**{**ORDER.__dict__, "cancelled_line_item_ids": frozenset({"r2"})})
    assert resolve(order) == ["r1", "r3", "b1"]
    with pytest.raises(ShipmentRejected, match=r"\['r2'\] are cancelled"):
        resolve(order, line_item_ids=["r2"])


def test_cancellation_by_sku_and_quantity_takes_units_nobody_shipped() -> None:
    order = OrderCopy(**{**ORDER.__dict__, "cancelled_units": (CancelledUnits("RED-M", 1),)})
    # r3 (last unshipped) is the cancelled unit; r1 is held by another shipment
    assert resolve(order, claimed=("r1",)) == ["r2", "b1"]
    with pytest.raises(ShipmentRejected, match="only 2"):
        resolve(order, lines=[RequestedLine("RED-M", 3)])


def shipment(**overrides: object) -> Shipment:
    base = {
        "shipment_id": "W1", "order_id": "O1", "shop_id": "S1", "carrier": "UPS", "tracking_number": "1Z",
        "upload_status": UploadStatus.WAITING_FOR_ORDER,
    }
    return Shipment(**{**base, **overrides})  # type: ignore[arg-type]


def test_admission_pending_with_resolved_items() -> None:
    result = admit(shipment(requested_lines=(RequestedLine("BLUE-L", 1),)), order=ORDER, tracking_allowed=True,
                   claimed=())
    assert (result.status, result.line_item_ids, result.error) == (UploadStatus.PENDING, ("b1",), None)


def test_admission_waits_for_an_unknown_or_not_yet_downloaded_order() -> None:
    assert admit(shipment(), order=None, tracking_allowed=True, claimed=()).status == UploadStatus.WAITING_FOR_ORDER
    stub = OrderCopy(order_id="O1", shop_id="S1", downloaded=False)
    assert admit(shipment(), order=stub, tracking_allowed=True, claimed=()).status == UploadStatus.WAITING_FOR_ORDER


def test_admission_with_tracking_upload_off_is_not_uploaded_with_the_reason() -> None:
    result = admit(shipment(), order=ORDER, tracking_allowed=False, claimed=())
    assert result.status == UploadStatus.NOT_UPLOADED
    assert result.error is not None and result.error.startswith("tracking upload off for shop S1")


def test_admission_refuses_a_cancelled_order_even_before_download() -> None:
    stub = OrderCopy(order_id="O1", shop_id="S1", downloaded=False, cancelled=True, cancel_reason="buyer")
    result = admit(shipment(), order=stub, tracking_allowed=True, claimed=())
    assert result.status == UploadStatus.FAILED
    assert result.error == "order O1 is cancelled (buyer); tracking was not uploaded"


def test_admission_refuses_fbt_orders_and_other_shops_orders() -> None:
    fbt = OrderCopy(**{**ORDER.__dict__, "fulfillment_type": "TIKTOK"})
    assert "fulfilled by TikTok" in (admit(shipment(), order=fbt, tracking_allowed=True, claimed=()).error or "")
    other = admit(shipment(shop_id="S2"), order=ORDER, tracking_allowed=True, claimed=())
    assert other.status == UploadStatus.FAILED and "belongs to shop S1" in (other.error or "")


def test_admission_failure_carries_the_resolution_reason() -> None:
    result = admit(shipment(requested_line_item_ids=("nope",)), order=ORDER, tracking_allowed=True, claimed=())
    assert result.status == UploadStatus.FAILED and "['nope'] are not line items" in (result.error or "")


def test_order_status_after_upload_is_partial_until_every_live_unit_has_tracking() -> None:
    assert status_after_upload(ORDER, {"r1", "r2"}) == "Partially Shipped"
    assert status_after_upload(ORDER, {"r1", "r2", "r3", "b1"}) == "Shipped"
    partly_cancelled = OrderCopy(**{**ORDER.__dict__, "cancelled_line_item_ids": frozenset({"b1"})})
    assert status_after_upload(partly_cancelled, {"r1", "r2", "r3"}) == "Shipped"
