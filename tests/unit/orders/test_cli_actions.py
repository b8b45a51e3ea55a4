"""`ttshop orders cancel|refund` (R16, R17): what is sent to the orders service and what the operator sees."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.unit.cli.conftest import FakeApi, flat, invoke


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TTSHOP_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("COLUMNS", "250")
    monkeypatch.delenv("ORDERS_URL", raising=False)


def test_cancel_sends_lines_and_reason() -> None:
    api = FakeApi(lambda r: httpx.Response(200, json={"order_id": "O1", "cancellation_id": "C9"}))
    result = invoke(["orders", "cancel", "O1", "--lines", "SKU-1, SKU-2", "--reason", "Out of stock"], api)
    assert result.exit_code == 0, result.output
    assert api.requests[0].url.path == "/orders/O1/cancel"
    assert api.bodies() == [{"reason": "Out of stock", "lines": ["SKU-1", "SKU-2"]}]
    assert "C9" in flat(result.stdout)


def test_cancel_refusal_names_tiktoks_status() -> None:
    api = FakeApi(lambda r: httpx.Response(409, json={"error": {
        "code": "cancel_not_allowed", "message": "order O1 is IN_TRANSIT on TikTok"}}))
    result = invoke(["orders", "cancel", "O1", "--reason", "x"], api)
    assert result.exit_code == 1
    assert "order O1 is IN_TRANSIT on TikTok (cancel_not_allowed)" in flat(result.stderr)


def test_cancel_needs_a_reason() -> None:
    result = invoke(["orders", "cancel", "O1"], FakeApi(lambda r: httpx.Response(200, json={})))
    assert result.exit_code != 0


def test_refund_of_all_lines_sends_no_lines() -> None:
    api = FakeApi(lambda r: httpx.Response(200, json={"order_id": "O1", "refund_amount": "39.98"}))
    result = invoke(["orders", "refund", "O1"], api)
    assert result.exit_code == 0, result.output
    assert api.requests[0].url.path == "/orders/O1/refund"
    assert api.bodies() == [{"reason": "Seller refund"}]


def test_refund_refused_for_paypal_shows_the_message() -> None:
    api = FakeApi(lambda r: httpx.Response(409, json={"error": {
        "code": "refund_on_tiktok", "message": "order O1 was paid with PayPal: issue this refund on TikTok"}}))
    result = invoke(["orders", "refund", "O1", "--lines", "MUG"], api)
    assert result.exit_code == 1 and "issue this refund on TikTok" in flat(result.stderr)
    assert api.bodies() == [{"reason": "Seller refund", "lines": ["MUG"]}]
