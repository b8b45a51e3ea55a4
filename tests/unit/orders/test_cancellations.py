"""Cancellations made on TikTok (R18, R19): new or already recorded, applied or flagged, published or not."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from services.orders.after_sales.domain import DEFERRED, Cancellation, Import, as_stored_after, detect
from services.orders.domain import Order, order_from_tiktok
from services.orders.events import cancellation_detected
from services.orders.intake.domain import Stored
from tests.unit.orders.factories import SHOP, item, tiktok_order

NOW = datetime(2024, 5, 1, tzinfo=UTC)
ALL_ITEMS = frozenset({"L1", "L2", "L3"})


def order(**overrides: Any) -> Order:
    return order_from_tiktok(tiktok_order(**overrides), SHOP)


def cancelled(**overrides: Any) -> Order:
    fields: dict[str, Any] = {"status": "CANCELLED", "cancel_reason": "Changed my mind",
                              "cancellation_initiator": "BUYER", "update_time": 1714570000}
    return order(**{**fields, **overrides})


def stored(status: str = "In Process", shipping: str = "Unshipped", *, published: bool = True,
           recorded: frozenset[str] = frozenset(), flagged: bool = False, tiktok: str = "AWAITING_SHIPMENT") -> Stored:
    return Stored(1714564900, tiktok, status, shipping, published, recorded, flagged)


def test_a_cancelled_order_cancels_every_line_item() -> None:
    assert cancelled().cancelled_line_item_ids == ALL_ITEMS
    assert order().cancelled_line_item_ids == frozenset()


def test_partial_cancellation_is_read_from_the_line_items_display_status() -> None:
    partial = order(line_items=[item("L1"), item("L2", display_status="CANCELLED")])
    assert partial.cancelled_line_item_ids == frozenset({"L2"})


def test_published_unshipped_order_cancellation_is_applied_and_published_r18() -> None:
    found = detect(cancelled(), stored(), Import.ON)
    assert isinstance(found, Cancellation)
    assert (found.applied, found.publish, found.whole_order, found.initiated_by) == (True, True, True, "BUYER")
    assert found.line_item_ids == ("L1", "L2", "L3") and found.reason == "Changed my mind"
    assert as_stored_after(cancelled(), stored(), found).status == "Cancelled"


def test_cancellation_of_a_shipped_order_is_recorded_flagged_not_applied_r18() -> None:
    previous = stored("Shipped", "Shipped", tiktok="IN_TRANSIT")
    found = detect(cancelled(), previous, Import.ON)
    assert isinstance(found, Cancellation)
    assert (found.applied, found.publish) == (False, True)
    assert found.not_applied_reason and "already shipped" in found.not_applied_reason
    kept = as_stored_after(cancelled(), previous, found)
    assert (kept.status, kept.shipping_status, kept.tiktok_status) == ("Shipped", "Shipped", "CANCELLED")


def test_a_flagged_order_keeps_its_status_on_later_versions() -> None:
    previous = stored("Shipped", "Shipped", recorded=ALL_ITEMS, flagged=True, tiktok="CANCELLED")
    assert detect(cancelled(), previous, Import.ON) is None
    assert as_stored_after(cancelled(), previous, None).status == "Shipped"


def test_the_same_cancellation_seen_again_is_not_new() -> None:
    assert detect(cancelled(), stored("Cancelled", recorded=ALL_ITEMS), Import.ON) is None


def test_never_published_order_cancel_is_recorded_not_published_r19() -> None:
    on_hold = stored("On Hold", published=False, tiktok="ON_HOLD")
    for mode in (Import.ON, Import.OFF):  # whatever the switch: the WMS never saw it
        found = detect(cancelled(), on_hold, mode)
        assert isinstance(found, Cancellation) and found.applied and not found.publish
    new = detect(cancelled(), None, Import.OFF)
    assert isinstance(new, Cancellation) and not new.publish


def test_cancellation_is_deferred_when_status_change_query_is_off_r18() -> None:
    assert detect(cancelled(), stored(), Import.OFF) is DEFERRED


def test_unknown_initiator_counts_as_system() -> None:
    found = detect(cancelled(cancellation_initiator="TIKTOK_OPS"), stored(), Import.ON)
    assert isinstance(found, Cancellation) and found.initiated_by == "SYSTEM"


def test_event_lists_lines_only_for_a_partial_cancellation() -> None:
    whole = detect(cancelled(), stored(), Import.ON)
    assert isinstance(whole, Cancellation)
    event = cancellation_detected(cancelled(), whole, detected_at=NOW)
    assert event.lines is None and event.applied and event.initiated_by == "BUYER"

    partial_order = order(line_items=[item("L1"), item("L2", display_status="CANCELLED"),
                                      item("L3", sku_id="S2", seller_sku="MUG")], cancellation_initiator="SELLER")
    partial = detect(partial_order, stored(), Import.ON)
    assert isinstance(partial, Cancellation) and not partial.whole_order
    event = cancellation_detected(partial_order, partial, detected_at=NOW)
    assert event.lines is not None
    assert [(x.seller_sku, x.quantity, x.line_item_ids) for x in event.lines] == [("TSHIRT-RED-M", 1, ["L2"])]
    assert event.initiated_by == "SELLER"


def test_not_applied_event_carries_the_reason() -> None:
    found = detect(cancelled(), stored("Completed", "Shipped"), Import.ON)
    assert isinstance(found, Cancellation)
    event = cancellation_detected(cancelled(), found, detected_at=NOW)
    assert not event.applied and event.not_applied_reason == found.not_applied_reason
