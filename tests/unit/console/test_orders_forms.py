"""The orders actions' requests from the console's forms, and the CLI's words for what happened."""

from __future__ import annotations

import pytest

from libs.console.orders import forms


def test_a_download_without_a_range_lets_the_service_pick_its_window() -> None:
    assert forms.download_body(" 7001 ", "", "") == {"shop": "7001"}


def test_a_download_range_is_read_as_the_cli_reads_it() -> None:
    assert forms.download_body("7001", "2026-05-01", "2026-05-01") == {
        "shop": "7001", "from": "2026-05-01T00:00:00+00:00", "to": "2026-05-02T00:00:00+00:00"}


@pytest.mark.parametrize(("shop", "start", "end", "why"), [
    ("", "", "", "choose the shop"),
    ("7001", "", "2026-05-01", "to needs from as well."),
    ("7001", "2026-05-03", "2026-05-01", "is not before to"),
    ("7001", "soon", "", "'soon' is not a date"),
])
def test_a_download_the_cli_would_refuse_is_refused(shop: str, start: str, end: str, why: str) -> None:
    with pytest.raises(forms.FormError, match=why):
        forms.download_body(shop, start, end)


def test_download_started_words_it_as_the_cli() -> None:
    assert forms.download_started({"id": "j-1", "status": "queued"}, "7001") == (
        "j-1", "Started download job j-1 for shop 7001")


def test_shipping_with_every_box_blank_ships_everything_left() -> None:
    assert forms.ship_body(" USPS ", " 9400 ", ["TEE", "MUG"], ["", " "]) == {"carrier": "USPS",
                                                                             "tracking_number": "9400"}


def test_shipping_some_units_sends_them_by_sku_summing_a_sku_on_two_lines() -> None:
    body = forms.ship_body("UPS", "1Z", ["TEE", "MUG", "TEE"], ["1", "0", "2"])
    assert body["lines"] == [{"seller_sku": "TEE", "quantity": 3}]


@pytest.mark.parametrize(("carrier", "tracking", "quantities", "why"), [
    ("", "1Z", ["1"], "give the carrier"),
    ("UPS", " ", ["1"], "give the carrier"),
    ("UPS", "1Z", ["one"], "TEE: quantity must be a whole number, not 'one'"),
    ("UPS", "1Z", ["-1"], "a quantity is 0 or more"),
    ("UPS", "1Z", ["0"], "every quantity is 0"),
])
def test_a_shipment_the_form_cannot_make_is_refused(carrier: str, tracking: str, quantities: list[str],
                                                    why: str) -> None:
    with pytest.raises(forms.FormError, match=why):
        forms.ship_body(carrier, tracking, ["TEE"], quantities)


def test_lines_that_do_not_match_their_skus_are_refused() -> None:
    with pytest.raises(forms.FormError, match="do not match"):
        forms.ship_lines(["TEE", "MUG"], ["1"])


def test_shipped_words_it_as_the_cli() -> None:
    shipment = {"shipment_id": "manual-1", "carrier": "USPS", "tracking_number": "9400", "upload_status": "pending",
                "line_item_ids": ["L1", "L2"]}
    assert forms.shipped(shipment, "5714") == "Shipment manual-1 of order 5714: USPS 9400 (pending) for line items L1, L2"


def test_a_cancel_needs_a_reason_a_refund_has_the_clis_default() -> None:
    with pytest.raises(forms.FormError, match="a cancellation needs a reason"):
        forms.after_sale_body("cancel", "  ", [])
    assert forms.after_sale_body("refund", "", []) == {"reason": "Seller refund"}


def test_ticked_skus_are_sent_once_each() -> None:
    assert forms.after_sale_body("cancel", " out of stock ", ["SOCK-2", "SOCK-2", " "]) == {
        "reason": "out of stock", "lines": ["SOCK-2"]}


def test_after_sale_messages_carry_the_clis_titles_and_what_tiktok_said() -> None:
    assert forms.after_sale_done("cancel", "5721", {"order_id": "5721", "cancel_status": "COMPLETED",
                                                    "line_item_ids": ["L9"]}) == (
        "cancelled order 5721 on TikTok: cancel_status=COMPLETED, line_item_ids=L9")
    assert forms.after_sale_done("refund", "5710", {"return_id": "R1", "refund_amount": "8.00", "currency": "USD"}) == (
        "refund of order 5710: return_id=R1, refund_amount=8.00, currency=USD")
    assert forms.after_sale_done("refund", "5710", None) == "refund of order 5710"
