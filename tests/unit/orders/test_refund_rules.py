"""Which payment methods a seller may refund through the API (R16)."""

from __future__ import annotations

import pytest

from services.orders.after_sales.domain import refusal


@pytest.mark.parametrize("method", ["PayPal", "paypal", " Apple Pay "])
def test_paypal_and_apple_pay_must_be_refunded_on_tiktok(method: str) -> None:
    refused = refusal(method, "O1")
    assert refused is not None and refused.code == "refund_on_tiktok"
    assert "issue this refund on TikTok" in refused.message


@pytest.mark.parametrize("method", [None, "", "Cash on delivery"])
def test_offline_or_unknown_payments_are_refused(method: str | None) -> None:
    refused = refusal(method, "O1")
    assert refused is not None and refused.code == "refund_not_online"


@pytest.mark.parametrize("method", ["Credit Card", "Debit card", "Google Pay"])
def test_online_payments_go_to_tiktok(method: str) -> None:
    assert refusal(method, "O1") is None
