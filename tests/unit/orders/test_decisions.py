"""Which events an upsert produces: OrderDownloaded once, OrderStatusChanged on change, stale ignored."""

from __future__ import annotations

from typing import Any

from services.orders.domain import Order, order_from_tiktok
from services.orders.events import order_downloaded, order_status_changed
from services.orders.intake.domain import Outcome, ShopPolicy, Stored, decide, publishable
from tests.unit.orders.factories import SHOP, tiktok_order

HOLD_BACK = ShopPolicy(publish_on_hold_orders=False)
PUBLISH_HOLD = ShopPolicy(publish_on_hold_orders=True)


def order(**overrides: Any) -> Order:
    return order_from_tiktok(tiktok_order(**overrides), SHOP)


def stored_from(o: Order, *, published: bool = True) -> Stored:
    return Stored(o.update_time, o.tiktok_status, o.status, o.shipping_status, published)


def test_new_order_is_downloaded_once() -> None:
    d = decide(order(), None, HOLD_BACK)
    assert (d.outcome, d.write, d.publish_downloaded, d.publish_status_changed, d.downloaded_published) == (
        Outcome.NEW, True, True, False, True,
    )


def test_new_on_hold_order_is_stored_but_not_published_by_default() -> None:
    d = decide(order(status="ON_HOLD", is_on_hold_order=True), None, HOLD_BACK)
    assert d.outcome is Outcome.NEW and d.write
    assert not d.publish_downloaded and not d.downloaded_published


def test_new_on_hold_order_is_published_when_the_shop_says_so() -> None:
    d = decide(order(status="ON_HOLD", is_on_hold_order=True), None, PUBLISH_HOLD)
    assert d.publish_downloaded and d.downloaded_published


def test_unpaid_and_already_cancelled_new_orders_are_not_handed_to_the_wms() -> None:
    assert not publishable(order(status="UNPAID"), PUBLISH_HOLD)
    assert not publishable(order(status="CANCELLED"), PUBLISH_HOLD)
    assert publishable(order(status="IN_TRANSIT", fulfillment_type="FULFILLMENT_BY_TIKTOK"), HOLD_BACK)


def test_order_leaving_on_hold_is_downloaded_then_and_only_then() -> None:
    held = order(status="ON_HOLD", is_on_hold_order=True, update_time=100)
    released = order(status="AWAITING_SHIPMENT", update_time=200)
    d = decide(released, stored_from(held, published=False), HOLD_BACK)
    assert d.outcome is Outcome.UPDATED and d.write
    assert d.publish_downloaded and not d.publish_status_changed and d.downloaded_published


def test_same_version_again_produces_nothing() -> None:
    o = order()
    d = decide(o, stored_from(o), HOLD_BACK)
    assert (d.outcome, d.write, d.publish_downloaded, d.publish_status_changed) == (
        Outcome.UNCHANGED, False, False, False,
    )
    assert d.counts_as == "unchanged"


def test_published_order_never_gets_a_second_order_downloaded() -> None:
    before = order(update_time=100)
    after = order(status="IN_TRANSIT", update_time=200)
    d = decide(after, stored_from(before), HOLD_BACK)
    assert not d.publish_downloaded and d.publish_status_changed


def test_status_change_of_a_published_order_is_published() -> None:
    before = order(update_time=100)
    after = order(status="CANCELLED", update_time=200)
    d = decide(after, stored_from(before), HOLD_BACK)
    assert d.outcome is Outcome.UPDATED and d.write and d.publish_status_changed
    event = order_status_changed(after, stored_from(before))
    assert (event.status, event.kind, event.previous_status, event.tiktok_status) == (
        "Cancelled", "cancelled", "In Process", "CANCELLED",
    )


def test_newer_version_without_status_change_is_stored_silently() -> None:
    before = order(update_time=100)
    after = order(update_time=200, recipient_address={"name": "Someone Else"})
    d = decide(after, stored_from(before), HOLD_BACK)
    assert d.outcome is Outcome.UPDATED and d.write
    assert not d.publish_downloaded and not d.publish_status_changed


def test_older_version_is_ignored() -> None:
    newer = order(status="IN_TRANSIT", update_time=200)
    older = order(update_time=100)
    d = decide(older, stored_from(newer), HOLD_BACK)
    assert (d.outcome, d.write, d.publish_downloaded, d.publish_status_changed) == (
        Outcome.STALE, False, False, False,
    )
    assert d.counts_as == "unchanged"


def test_unpublished_on_hold_order_is_published_when_the_switch_is_turned_on() -> None:
    held = order(status="ON_HOLD", is_on_hold_order=True, update_time=100)
    d = decide(held, stored_from(held, published=False), PUBLISH_HOLD)
    assert d.write and d.publish_downloaded and d.downloaded_published


def test_status_change_of_an_unpublished_order_publishes_nothing() -> None:
    held = order(status="ON_HOLD", is_on_hold_order=True, update_time=100)
    cancelled = order(status="CANCELLED", update_time=200)
    d = decide(cancelled, stored_from(held, published=False), HOLD_BACK)
    assert d.write and not d.publish_downloaded and not d.publish_status_changed
    assert not d.downloaded_published


def test_order_downloaded_event_carries_what_the_wms_needs() -> None:
    o = order(is_replacement_order=True, replaced_order_id="576486316948490000")
    event = order_downloaded(o)
    data = event.model_dump(mode="json")
    assert data["order_source"] == "Website" and data["channel"] == "TikTok Shop"
    assert data["fulfillment_type"] == "SELLER" and data["wms_should_pick"] is True
    assert data["notes"] == ["Replacement for order 576486316948490000"]
    assert data["totals"] == {"sub_total": "59.97", "shipping_fee": "5.00", "tax": "0.10", "total": "65.07"}
    assert data["lines"][0]["quantity"] == 2 and data["lines"][0]["line_item_ids"] == ["L1", "L2"]
    assert data["lines"][0]["unit_price"] == "19.99"


def test_fbt_order_downloaded_event_has_subtype_and_no_pick() -> None:
    event = order_downloaded(order(fulfillment_type="FULFILLMENT_BY_TIKTOK"))
    assert (event.fulfillment_type, event.subtype, event.wms_should_pick) == ("TIKTOK", "Fulfilled by TikTok", False)


def test_shipped_status_change_carries_tracking() -> None:
    before = order(update_time=100)
    after = order(
        status="AWAITING_COLLECTION", update_time=200,
        line_items=[{"id": "L1", "sku_id": "S1", "seller_sku": "A", "product_id": "P", "sale_price": "1",
                     "package_id": "PK1", "tracking_number": "1Z1", "shipping_provider_name": "UPS"}],
    )
    event = order_status_changed(after, stored_from(before))
    assert event.kind == "shipped"
    assert event.tracking is not None and event.tracking[0].tracking_number == "1Z1"
