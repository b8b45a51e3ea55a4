"""Mapping TikTok orders to ours: aggregation, money, statuses, replacement and FBT orders."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from services.orders.domain import (
    FBT_SUBTYPE,
    STATUS_MAP,
    InvalidTikTokOrder,
    map_status,
    order_from_tiktok,
)
from services.orders.intake.service import IngestResult, _map
from tests.unit.orders.factories import SHOP, item, tiktok_order


def test_units_are_aggregated_into_lines_with_their_line_item_ids() -> None:
    order = order_from_tiktok(tiktok_order(), SHOP)
    assert [(line.seller_sku, line.quantity, line.line_item_ids) for line in order.lines] == [
        ("TSHIRT-RED-M", 2, ("L1", "L2")),
        ("MUG", 1, ("L3",)),
    ]
    assert order.lines[0].unit_price == Decimal("19.99")


def test_same_sku_at_different_prices_stays_on_separate_lines() -> None:
    raw = tiktok_order(line_items=[item("L1", price="19.99"), item("L2", price="15.00"), item("L3", price="19.99")])
    lines = order_from_tiktok(raw, SHOP).lines
    assert [(line.unit_price, line.quantity, line.line_item_ids) for line in lines] == [
        (Decimal("19.99"), 2, ("L1", "L3")),
        (Decimal("15.00"), 1, ("L2",)),
    ]


def test_line_item_without_seller_sku_is_keyed_by_its_sku_id() -> None:
    raw = tiktok_order(line_items=[item("L1", seller_sku="")])
    assert order_from_tiktok(raw, SHOP).lines[0].seller_sku == "S1"


def test_money_is_decimal_and_times_are_utc() -> None:
    order = order_from_tiktok(tiktok_order(), SHOP)
    assert (order.sub_total, order.shipping_fee, order.tax, order.total) == (
        Decimal("59.97"), Decimal("5.00"), Decimal("0.10"), Decimal("65.07"),
    )
    assert order.created_at == datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    assert order.paid_at == datetime(2024, 5, 1, 12, 0, 10, tzinfo=UTC)
    assert order.currency == "USD" and order.payment_method == "Credit card"


def test_order_source_and_channel_are_fixed() -> None:
    order = order_from_tiktok(tiktok_order(), SHOP)
    assert (order.order_source, order.channel) == ("Website", "TikTok Shop")


def test_recipient_is_normalised_and_empty_fields_become_none() -> None:
    recipient = order_from_tiktok(tiktok_order(), SHOP).recipient
    assert recipient["phone"] == "+1 555"
    assert recipient["country"] == "US"
    assert recipient["address_line2"] is None


@pytest.mark.parametrize(
    ("tiktok_status", "expected"),
    [
        ("UNPAID", ("In Process", "Unshipped")),
        ("ON_HOLD", ("On Hold", "Unshipped")),
        ("AWAITING_SHIPMENT", ("In Process", "Unshipped")),
        ("PARTIALLY_SHIPPING", ("In Process", "Partially Shipped")),
        ("AWAITING_COLLECTION", ("Shipped", "Shipped")),
        ("IN_TRANSIT", ("Shipped", "Shipped")),
        ("DELIVERED", ("Completed", "Shipped")),
        ("COMPLETED", ("Completed", "Shipped")),
        ("CANCELLED", ("Cancelled", "Unshipped")),
    ],
)
def test_status_mapping_for_seller_fulfilled_orders(tiktok_status: str, expected: tuple[str, str]) -> None:
    assert map_status(tiktok_status, "SELLER") == expected


def test_every_documented_tiktok_status_is_mapped() -> None:
    documented = {"UNPAID", "ON_HOLD", "AWAITING_SHIPMENT", "PARTIALLY_SHIPPING", "AWAITING_COLLECTION",
                  "IN_TRANSIT", "DELIVERED", "COMPLETED", "CANCELLED"}
    assert set(STATUS_MAP) == documented


def test_unknown_status_is_refused_with_the_value() -> None:
    with pytest.raises(InvalidTikTokOrder, match="'LOST'"):
        map_status("LOST", "SELLER")


def test_replacement_order_names_the_original_in_a_note() -> None:
    order = order_from_tiktok(tiktok_order(is_replacement_order=True, replaced_order_id="576486316948490000"), SHOP)
    assert order.is_replacement and order.replaced_order_id == "576486316948490000"
    assert order.notes == ("Replacement for order 576486316948490000",)


def test_regular_order_has_no_notes_and_no_replaced_id() -> None:
    order = order_from_tiktok(tiktok_order(replaced_order_id="ignored-when-not-a-replacement"), SHOP)
    assert order.notes == () and order.replaced_order_id is None and not order.is_replacement


def test_replacement_without_original_is_invalid() -> None:
    with pytest.raises(InvalidTikTokOrder, match="replaced_order_id"):
        order_from_tiktok(tiktok_order(is_replacement_order=True, replaced_order_id=""), SHOP)


def test_fbt_order_has_subtype_and_is_not_picked_by_the_wms() -> None:
    order = order_from_tiktok(tiktok_order(fulfillment_type="FULFILLMENT_BY_TIKTOK"), SHOP)
    assert order.fulfillment_type == "TIKTOK"
    assert order.subtype == FBT_SUBTYPE == "Fulfilled by TikTok"
    assert order.wms_should_pick is False
    assert (order.status, order.shipping_status) == ("In Process", "Unshipped")


def test_fbt_order_is_completed_once_tiktok_ships_it() -> None:
    order = order_from_tiktok(tiktok_order(fulfillment_type="FULFILLMENT_BY_TIKTOK", status="IN_TRANSIT"), SHOP)
    assert (order.status, order.shipping_status) == ("Completed", "Shipped")


def test_seller_order_is_picked_by_the_wms_and_has_no_subtype() -> None:
    order = order_from_tiktok(tiktok_order(), SHOP)
    assert order.wms_should_pick is True and order.subtype is None


def test_on_hold_flag_or_status_marks_the_order_on_hold() -> None:
    assert order_from_tiktok(tiktok_order(status="ON_HOLD"), SHOP).is_on_hold
    assert order_from_tiktok(tiktok_order(is_on_hold_order=True), SHOP).is_on_hold
    assert not order_from_tiktok(tiktok_order(), SHOP).is_on_hold


def test_tracking_is_collected_per_package() -> None:
    raw = tiktok_order(
        status="AWAITING_COLLECTION",
        line_items=[
            item("L1", package_id="PK1", tracking_number="1Z1", shipping_provider_name="UPS"),
            item("L2", package_id="PK1", tracking_number="1Z1", shipping_provider_name="UPS"),
            item("L3", package_id="PK2", tracking_number="TT9", shipping_provider_name="TikTok Shipping"),
        ],
    )
    packages = order_from_tiktok(raw, SHOP).packages
    assert [(p.package_id, p.tracking_number, p.carrier) for p in packages] == [
        ("PK1", "1Z1", "UPS"), ("PK2", "TT9", "TikTok Shipping"),
    ]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"id": ""}, "without id"),
        ({"line_items": []}, "no line items"),
        ({"payment": {"sub_total": "1"}}, "currency"),
        ({"fulfillment_type": "FULFILLMENT_BY_MOON"}, "fulfillment_type"),
        ({"payment": {"currency": "USD", "total_amount": "ten"}}, "total_amount"),
        ({"line_items": [item("L1", price="NaN")]}, "sale_price"),
        ({"payment": {"currency": "USD", "total_amount": "1000000000000"}}, "beyond the amounts an order can hold"),
        ({"update_time": "soon"}, "update_time is not a whole number"),
        ({"update_time": 2**63}, "update_time 9223372036854775808 is out of range"),
    ],
)
def test_unusable_orders_are_refused_with_a_reason(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidTikTokOrder, match=message):
        order_from_tiktok(tiktok_order(**overrides), SHOP)


HOSTILE = "O'Brien \"Bob\" '; DROP TABLE orders;-- \u202egnp.exe\u200f 😀 e\u0301"


def test_text_is_kept_verbatim_but_a_nul_or_lone_surrogate_becomes_u_fffd() -> None:
    raw = tiktok_order(
        buyer_message=f"{HOSTILE}\x00!",
        recipient_address={"name": HOSTILE, "address_line1": "1 Main St\ud800", "region_code": "US"},
        line_items=[item("L1", product_name="Tee\x00")],
    )
    order = order_from_tiktok(raw, SHOP)
    assert order.buyer_message == f"{HOSTILE}\ufffd!"
    assert (order.recipient["name"], order.recipient["address_line1"]) == (HOSTILE, "1 Main St\ufffd")
    assert order.lines[0].product_name == "Tee\ufffd"
    assert order.raw["buyer_message"] == f"{HOSTILE}\ufffd!"  # TikTok's copy, as stored, too
    assert order_from_tiktok(tiktok_order(), SHOP).buyer_message is None


def test_an_order_the_contract_cannot_carry_is_skipped_and_the_rest_of_the_page_kept() -> None:
    """Taken, it would fail its page on every poll: a seller SKU over TikTok's 50 characters, a negative total."""
    page = [
        tiktok_order(id="A1", line_items=[item("L1", seller_sku="S" * 51)]),
        tiktok_order(id="A2", payment={"currency": "USD", "sub_total": "1", "shipping_fee": "0", "tax": "0",
                                       "total_amount": "-1"}),
        tiktok_order(id="A3", recipient_address={"name": "x" * 70_000}),
        tiktok_order(id="A4", line_items=[item("L1", package_id="PK1", tracking_number="1Z" * 100)]),
        tiktok_order(id="A5"),
    ]
    result = IngestResult()
    assert [o.order_id for o in _map(page, SHOP, result)] == ["A5"]
    assert result.invalid == ["A1", "A2", "A3", "A4"]
