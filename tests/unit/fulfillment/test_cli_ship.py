"""`ttshop orders ship` (R21) and the TikTok-side column of `ttshop shipments list` (R23)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
import typer

from libs.cli.order_ship import parse_lines
from tests.unit.cli.conftest import FakeApi, flat, invoke


@pytest.fixture(autouse=True)
def _isolated_state(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TTSHOP_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("COLUMNS", "250")
    for name in ("AUTH_URL", "CATALOG_URL", "ORDERS_URL", "FULFILLMENT_URL", "SANDBOX_URL", "INTERNAL_API_TOKEN", "ADMIN_API_TOKEN"):
        monkeypatch.delenv(name, raising=False)


def test_parse_lines() -> None:
    assert parse_lines("A:2, B ,C-1:1") == [{"seller_sku": "A", "quantity": 2}, {"seller_sku": "B", "quantity": 1},
                                           {"seller_sku": "C-1", "quantity": 1}]
    assert parse_lines(None) is None and parse_lines(" ") is None
    for bad in ("A:x", "A:0", ":2"):
        with pytest.raises(typer.BadParameter):
            parse_lines(bad)


def test_ship_posts_to_fulfillment_and_prints_the_shipment() -> None:
    shipment = {"shipment_id": "manual-1", "carrier": "UPS", "tracking_number": "1Z", "upload_status": "pending",
                "line_item_ids": ["11", "12"]}
    api = FakeApi(lambda r: httpx.Response(201, json=shipment))
    result = invoke(["orders", "ship", "O1", "--carrier", "UPS", "--tracking", "1Z", "--lines", "A:2"], api,
                    env={"FULFILLMENT_URL": "http://fulfillment.test"})
    assert result.exit_code == 0, result.output
    [request] = api.requests
    assert (request.method, str(request.url)) == ("POST", "http://fulfillment.test/orders/O1/ship")
    assert json.loads(request.content) == {"carrier": "UPS", "tracking_number": "1Z",
                                           "lines": [{"seller_sku": "A", "quantity": 2}]}
    out = flat(result.stdout)
    assert "Shipment manual-1 of order O1: UPS 1Z (pending) for line items 11, 12" in out


def test_ship_by_line_item_ids_and_refusal_is_shown() -> None:
    api = FakeApi(lambda r: httpx.Response(409, json={"error": {"code": "cannot_ship",
                                                                "message": "order O1 is cancelled"}}))
    result = invoke(["orders", "ship", "O1", "--carrier", "UPS", "--tracking", "1Z", "--line-items", "11, 12"], api)
    assert result.exit_code == 1
    assert json.loads(api.requests[0].content)["line_item_ids"] == ["11", "12"]
    assert "Error: order O1 is cancelled (cannot_ship)" in flat(result.stderr)
    both = invoke(["orders", "ship", "O1", "--carrier", "U", "--tracking", "T", "--lines", "A", "--line-items", "1"],
                  FakeApi(lambda r: httpx.Response(500)))
    assert both.exit_code == 2 and "not both" in flat(both.output)


def test_shipments_list_shows_source_upload_and_tiktok_status_and_error() -> None:
    body = {"shipments": [
        {"shipment_id": "W1", "source": "wms", "carrier": "UPS", "tracking_number": "1Z", "upload_status": "uploaded",
         "tiktok_status": "IN_TRANSIT", "tiktok_side": "in transit", "tiktok_package_id": "P1", "error": None},
        {"shipment_id": "W2", "source": "wms", "carrier": "Royal Mail", "tracking_number": "RM",
         "upload_status": "failed", "tiktok_status": None, "tiktok_side": None, "error": "unknown carrier"},
    ]}
    result = invoke(["shipments", "list", "--order", "O1"], FakeApi(lambda r: httpx.Response(200, json=body)))
    out = flat(result.stdout)
    assert result.exit_code == 0
    assert "tiktok status" in out
    assert "W1 wms UPS 1Z uploaded in transit P1" in out
    assert "W2 wms Royal Mail RM failed unknown carrier" in out
