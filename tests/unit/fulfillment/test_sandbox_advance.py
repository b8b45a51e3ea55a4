"""Sandbox: tracking that moves over time (POST /sandbox/orders/{id}/advance) and FBT shipping by TikTok."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from libs.sandbox.logistics import SHIPPING_PROVIDERS, TIKTOK_PROVIDER_ID
from tests.unit.sandbox.conftest import Sandbox, make_settings, open_sandbox

UPS = next(pid for pid, name in SHIPPING_PROVIDERS.items() if name == "UPS")


@pytest.fixture
async def box() -> AsyncIterator[Sandbox]:
    async for sandbox in open_sandbox(make_settings()):
        yield sandbox


async def test_a_shipped_order_advances_with_tracking_events(box: Sandbox) -> None:
    """R23: AWAITING_COLLECTION -> IN_TRANSIT -> DELIVERED -> COMPLETED, one tracking event each."""
    shop = await box.new_shop()
    order = await box.place_order(shop)
    body = {"tracking_number": "1Z1", "shipping_provider_id": UPS, "order_line_item_ids": []}
    shipped = await box.call("POST", f"/fulfillment/202309/orders/{order['id']}/packages", shop=shop, body=body)
    assert shipped.json()["code"] == 0

    seen = []
    for _ in range(3):
        moved = await box.control("POST", f"/sandbox/orders/{order['id']}/advance")
        seen.append((moved["status"], moved["line_items"][0]["display_status"]))
    assert seen == [("IN_TRANSIT", "IN_TRANSIT"), ("DELIVERED", "DELIVERED"), ("COMPLETED", "COMPLETED")]
    tracking = (await box.call("GET", f"/fulfillment/202309/orders/{order['id']}/tracking", shop=shop)).json()
    descriptions = [t["description"] for t in tracking["data"]["tracking"]]
    assert descriptions[:3] == ["Order completed", "Package delivered", "The carrier picked up the package; in transit"]
    assert descriptions[3].startswith("Package ") and "1Z1" in descriptions[3]
    assert moved["tracking_number"] == "1Z1"  # the seller's package, not a TikTok one

    done = await box.http.post(f"/sandbox/orders/{order['id']}/advance")
    assert done.status_code == 409 and "COMPLETED" in done.json()["message"]


async def test_fbt_order_is_shipped_by_tiktok_with_its_own_tracking(box: Sandbox) -> None:
    """R14: an FBT order awaiting shipment leaves with TikTok's carrier and tracking."""
    shop = await box.new_shop()
    order = await box.place_order(shop, fulfillment_type="FULFILLMENT_BY_TIKTOK")
    moved = await box.control("POST", f"/sandbox/orders/{order['id']}/advance")
    assert moved["status"] == "IN_TRANSIT"
    item = moved["line_items"][0]
    assert item["package_id"] and item["tracking_number"].startswith("TT")
    assert item["shipping_provider_id"] == TIKTOK_PROVIDER_ID and item["display_status"] == "IN_TRANSIT"


async def test_advance_refuses_what_is_not_shipped_and_unknown_orders(box: Sandbox) -> None:
    shop = await box.new_shop()
    order = await box.place_order(shop)  # seller-fulfilled, nothing shipped
    r = await box.http.post(f"/sandbox/orders/{order['id']}/advance")
    assert r.status_code == 409 and "AWAITING_SHIPMENT" in r.json()["message"]
    r = await box.http.post("/sandbox/orders/404404/advance")
    assert r.status_code == 404
