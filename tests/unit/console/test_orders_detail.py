"""An order's page's data: lines, recipient, payment, both statuses, notes, shipments, cancellations and
settlements, from the services' answers (shapes as the dev stack answers them)."""

from __future__ import annotations

from typing import Any

from libs.console.orders import detail

ORDER: dict[str, Any] = {
    "order_id": "5714", "shop_id": "7405", "tiktok_status": "AWAITING_SHIPMENT", "status": "In Process",
    "shipping_status": "Unshipped", "fulfillment_type": "SELLER", "subtype": None, "is_on_hold": False,
    "is_replacement": True, "replaced_order_id": "5710", "notes": ["Replacement for order 5710"],
    "created_at": "2026-12-03T13:56:41+00:00", "paid_at": "2026-12-03T13:56:41+00:00",
    "payment_method": "Credit Card", "currency": "USD",
    "recipient": {"city": "Los Angeles", "name": "Sandbox Buyer", "phone": "+1 (213) 555-0100", "state": "California",
                  "country": "US", "postal_code": "90012", "address_line1": "100 Sample Street",
                  "address_line2": None, "district": "Downtown"},
    "cancelled_line_item_ids": ["L2"], "cancellation_flagged": False,
    "settlement_amount": "30.36", "settlement_fees": "2.64", "payout_status": "PROCESSING",
    "settled_at": "2026-12-03T13:57:00+00:00", "buyer_message": "gift wrap", "wms_should_pick": True,
    "totals": {"sub_total": "33.00", "shipping_fee": "0.00", "tax": "0.00", "total": "33.00"},
    "lines": [
        {"line_no": 1, "seller_sku": "TEE", "sku_id": "17", "product_id": "176", "product_name": "Tee",
         "quantity": 2, "unit_price": "12.50", "line_item_ids": ["L1", "L2"]},
        {"line_no": 2, "seller_sku": "MUG", "sku_id": "18", "product_id": "177", "product_name": None,
         "quantity": 1, "unit_price": "8.00", "line_item_ids": ["L3"]},
        {"line_no": 3, "seller_sku": "TEE", "sku_id": "17", "product_id": "176", "product_name": "Tee",
         "quantity": 1, "unit_price": "0.00", "line_item_ids": ["L4"]},
    ],
}


def test_the_order_holds_its_lines_with_what_tiktok_cancelled() -> None:
    order = detail.order_of(ORDER)
    assert [(x.seller_sku, x.quantity, x.line_item_ids, x.cancelled) for x in order.lines] == [
        ("TEE", 2, "L1, L2", 1), ("MUG", 1, "L3", 0), ("TEE", 1, "L4", 0)]
    assert order.skus == ["TEE", "MUG"]  # each SKU once, for the cancel and refund choices


def test_the_recipient_reads_as_an_address_with_unknown_fields_after() -> None:
    assert detail.order_of(ORDER).recipient == [
        ("name", "Sandbox Buyer"), ("phone", "+1 (213) 555-0100"), ("address", "100 Sample Street"),
        ("city", "Los Angeles"), ("state", "California"), ("postal code", "90012"), ("country", "US"),
        ("district", "Downtown")]
    assert detail.recipient_of(None) == []


def test_payment_totals_and_settlement_are_money_in_the_orders_currency() -> None:
    order = detail.order_of(ORDER)
    assert order.payment_method == "Credit Card" and not order.refunded_on_tiktok
    assert order.totals == [("subtotal", "33.00 USD"), ("shipping", "0.00 USD"), ("tax", "0.00 USD"),
                            ("total", "33.00 USD")]
    assert order.settlement[:3] == [("settled", "30.36 USD"), ("fees", "2.64 USD"), ("payout", "PROCESSING")]
    assert detail.order_of({**ORDER, "settlement_amount": None}).settlement == []


def test_paypal_orders_are_refunded_on_tiktok() -> None:
    assert detail.order_of({**ORDER, "payment_method": "PayPal"}).refunded_on_tiktok
    assert detail.order_of({**ORDER, "payment_method": "Apple Pay"}).refunded_on_tiktok


def test_both_statuses_notes_and_the_replaced_order() -> None:
    order = detail.order_of(ORDER)
    assert (order.status.ours, order.status.tiktok, order.status.differs) == ("In Process", "AWAITING_SHIPMENT", False)
    assert detail.order_of({**ORDER, "tiktok_status": "CANCELLED"}).status.differs
    assert order.notes == ["Replacement for order 5710"] and order.buyer_message == "gift wrap"
    assert order.replaced_link == "/orders/5710" and order.link == "/orders/5714"
    assert detail.order_of({**ORDER, "is_replacement": False, "replaced_order_id": None}).replaced_link == ""


def test_a_shipment_shows_its_upload_and_tiktoks_side() -> None:
    body = {"shipments": [
        {"shipment_id": "manual-1", "carrier": "USPS", "tracking_number": "9400", "line_item_ids": ["L1", "L3"],
         "upload_status": "uploaded", "error": None, "tiktok_package_id": "P1", "attempts": 1,
         "next_attempt_at": "2026-12-03T13:58:56+00:00", "shipped_at": "2026-12-03T13:56:56+00:00",
         "uploaded_at": "2026-12-03T13:56:57+00:00", "source": "manual", "tiktok_status": "IN_TRANSIT",
         "tiktok_side": "in transit"},
        {"shipment_id": "wms-2", "upload_status": "failed", "error": "TikTok refused: no such provider",
         "attempts": 5, "next_attempt_at": "2026-12-03T14:10:00+00:00", "tiktok_status": None, "tiktok_side": None},
    ]}
    uploaded, failed = detail.shipments_of(body)
    assert (uploaded.upload_status, uploaded.mark, uploaded.tiktok_side, uploaded.package_id) == (
        "uploaded", "good", "in transit", "P1")
    assert uploaded.line_item_ids == "L1, L3" and uploaded.next_attempt_at == ""  # done: no next attempt
    assert (failed.mark, failed.error, failed.next_attempt_at) == (
        "bad", "TikTok refused: no such provider", "2026-12-03T14:10:00+00:00")
    assert detail.shipment_of({"upload_status": "waiting_for_order"}).upload_status == "waiting for order"


def test_cancellations_and_settlements() -> None:
    [cancellation] = detail.cancellations_of({"cancellations": [
        {"line_item_ids": ["L2"], "whole_order": False, "initiated_by": "BUYER", "reason": None,
         "tiktok_status": "IN_TRANSIT", "applied": False, "not_applied_reason": "already shipped",
         "detected_at": "2026-12-03T13:57:16+00:00"}]})
    assert (cancellation.initiated_by, cancellation.applied, cancellation.not_applied_reason,
            cancellation.line_item_ids) == ("BUYER", False, "already shipped", "L2")
    [settlement] = detail.settlements_of({"settlements": [
        {"transaction_id": "T1", "statement_id": "S1", "currency": "USD", "revenue_amount": "33.00",
         "fee_amount": "2.64", "settlement_amount": "30.36", "payout_status": "PAID", "applied_at": None}]})
    assert (settlement.revenue, settlement.fees, settlement.settlement, settlement.applied) == (
        "33.00 USD", "2.64 USD", "30.36 USD", False)
    assert detail.cancellations_of(None) == [] and detail.settlements_of({"settlements": None}) == []
