"""Webhooks: signed ORDER_STATUS_CHANGE posts, retries then drop, per-shop registration."""

from __future__ import annotations

import json
from typing import Any

import httpx

from libs.common.tiktok.signing import verify_webhook
from libs.sandbox.webhooks import WebhookPoster
from tests.unit.sandbox.conftest import APP_KEY, APP_SECRET, Sandbox, make_settings, open_sandbox

HOOK = "http://receiver.test/webhooks/tiktok"


def poster(box: Sandbox) -> WebhookPoster:
    return box.app.state.webhooks  # type: ignore[no-any-return]


def bodies(requests: list[httpx.Request]) -> list[dict[str, Any]]:
    return [json.loads(r.content) for r in requests]


async def test_order_events_are_signed_and_shaped() -> None:
    async for box in open_sandbox(make_settings(webhook_url=HOOK)):
        shop = await box.new_shop()
        order = await box.place_order(shop, on_hold=True)
        await box.control("POST", f"/sandbox/orders/{order['id']}/status", {"status": "AWAITING_SHIPMENT"})
        await poster(box).drain()
        assert [str(r.url) for r in box.captured] == [HOOK, HOOK]
        for request in box.captured:
            assert verify_webhook(APP_KEY, APP_SECRET, request.content, request.headers["Authorization"])
        first, second = bodies(box.captured)
        assert first["type"] == 1 and first["shop_id"] == shop.shop_id
        assert first["data"] == {
            "order_id": order["id"],
            "order_status": "ON_HOLD",
            "is_on_hold_order": True,
            "update_time": order["update_time"],
        }
        assert second["data"]["order_status"] == "AWAITING_SHIPMENT"
        assert first["tts_notification_id"] != second["tts_notification_id"]


async def test_failed_delivery_is_retried_then_succeeds() -> None:
    async for box in open_sandbox(make_settings(webhook_url=HOOK), webhook_status=[500, 503, 200]):
        shop = await box.new_shop()
        await box.place_order(shop)
        await poster(box).drain()
        assert len(box.captured) == 3
        assert len({r.content for r in box.captured}) == 1  # the same notification each time
        assert (poster(box).delivered, poster(box).dropped) == (1, 0)


async def test_delivery_is_dropped_after_the_last_retry() -> None:
    async for box in open_sandbox(make_settings(webhook_url=HOOK), webhook_status=[500]):
        shop = await box.new_shop()
        await box.place_order(shop)
        await poster(box).drain()
        assert len(box.captured) == 3  # first try + two retries (test schedule)
        assert (poster(box).delivered, poster(box).dropped) == (0, 1)


async def test_shop_registration_and_runtime_url() -> None:
    async for box in open_sandbox(make_settings(webhook_url="")):
        shop = await box.new_shop()
        await box.place_order(shop)
        await poster(box).drain()
        assert box.captured == []  # webhooks off
        registered = await box.call(
            "PUT",
            "/event/202309/webhooks",
            shop=shop,
            body={"address": "http://shop.test/hook", "event_type": "ORDER_STATUS_CHANGE"},
        )
        assert registered.json()["code"] == 0
        listed = (await box.call("GET", "/event/202309/webhooks", shop=shop)).json()["data"]["webhooks"]
        assert listed == [{"event_type": "ORDER_STATUS_CHANGE", "address": "http://shop.test/hook"}]
        await box.place_order(shop)
        await box.control("POST", "/sandbox/webhook", {"url": HOOK})
        other = await box.new_shop()
        await box.place_order(other)
        await poster(box).drain()
        assert [str(r.url) for r in box.captured] == ["http://shop.test/hook", HOOK]


async def test_bulk_orders_can_skip_webhooks() -> None:
    async for box in open_sandbox(make_settings(webhook_url=HOOK)):
        shop = await box.new_shop()
        lines = [{"seller_sku": "A", "quantity": 1, "unit_price": "1"}]
        await box.control(
            "POST",
            f"/sandbox/shops/{shop.shop_id}/orders/bulk",
            {"count": 5, "lines": lines, "webhook": False},
        )
        await box.control("POST", f"/sandbox/shops/{shop.shop_id}/orders/bulk", {"count": 2, "lines": lines})
        await poster(box).drain()
        assert len(box.captured) == 2


async def test_mark_shipped_fires_status_change() -> None:
    async for box in open_sandbox(make_settings(webhook_url=HOOK)):
        shop = await box.new_shop()
        order = await box.place_order(shop)
        body = {"tracking_number": "T-1", "shipping_provider_id": "6617675021119438849"}
        shipped = await box.call(
            "POST", f"/fulfillment/202309/orders/{order['id']}/packages", shop=shop, body=body
        )
        assert shipped.json()["code"] == 0
        await poster(box).drain()
        assert [b["data"]["order_status"] for b in bodies(box.captured)] == [
            "AWAITING_SHIPMENT",
            "AWAITING_COLLECTION",
        ]
