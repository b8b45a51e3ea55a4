"""TikTok's side of a listing: review outcome, suspension and freeze (webhook type 5), daily limit."""

from __future__ import annotations

import json
import time
from typing import Any

from libs.common.tiktok.signing import verify_webhook
from libs.sandbox.products import PRODUCT_STATE_INVALID
from libs.sandbox.webhooks import WebhookPoster
from tests.unit.sandbox.conftest import APP_KEY, APP_SECRET, Sandbox, Shop, make_settings, open_sandbox

HOOK = "http://shop.test/products"


class Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


async def pending_product(box: Sandbox, shop: Shop) -> dict[str, Any]:
    body = {"title": "Tee", "skus": [{"seller_sku": "TEE-M", "price": "19.99", "quantity": 3}], "status": "PENDING"}
    created = await box.control("POST", f"/sandbox/shops/{shop.shop_id}/products", body)
    return created["product"]  # type: ignore[no-any-return]


async def register(box: Sandbox, shop: Shop) -> None:
    body = {"address": HOOK, "event_type": "PRODUCT_STATUS_CHANGE"}
    assert (await box.call("PUT", "/event/202309/webhooks", shop=shop, body=body)).json()["code"] == 0


async def events(box: Sandbox) -> list[dict[str, Any]]:
    poster: WebhookPoster = box.app.state.webhooks
    await poster.drain()
    assert all(str(r.url) == HOOK for r in box.captured)
    assert all(verify_webhook(APP_KEY, APP_SECRET, r.content, r.headers["Authorization"]) for r in box.captured)
    return [json.loads(r.content) for r in box.captured]


async def get_product(box: Sandbox, shop: Shop, product_id: str) -> dict[str, Any]:
    answer = (await box.call("GET", f"/product/202309/products/{product_id}", shop=shop)).json()
    assert answer["code"] == 0, answer
    return answer["data"]  # type: ignore[no-any-return]


async def test_approval_activates_and_fires_product_status_change() -> None:
    clock = Clock()
    async for box in open_sandbox(make_settings(), clock=clock):
        shop = await box.new_shop()
        await register(box, shop)
        product = await pending_product(box, shop)
        assert product["status"] == "PENDING" and product["audit"] == {"status": "AUDITING"}
        clock.now += 5
        await box.control("POST", f"/sandbox/products/{product['id']}/review", {"decision": "approve"})
        [event] = await events(box)
        got = await get_product(box, shop, product["id"])
        assert got["status"] == "ACTIVATE" and got["audit"] == {"status": "APPROVED"}
        assert got["audit_failed_reasons"] == [] and got["update_time"] == product["update_time"] + 5
        assert event["type"] == 5 and event["shop_id"] == shop.shop_id
        assert event["data"] == {"product_id": product["id"], "status": "ACTIVATE", "suspended_reason": "",
                                 "update_time": got["update_time"]}
        again = await box.http.post(f"/sandbox/products/{product['id']}/review", json={"decision": "approve"})
        assert again.status_code == 400 and again.json()["code"] == PRODUCT_STATE_INVALID
        assert len(await events(box)) == 1  # a refused review fires nothing


async def test_rejection_keeps_the_reasons_where_tiktok_shows_them() -> None:
    async for box in open_sandbox(make_settings()):
        shop = await box.new_shop()
        await register(box, shop)
        product = await pending_product(box, shop)
        reasons = ["Main image has a watermark",
                   {"position": "title", "reasons": ["Title has a brand you are not authorised for"],
                    "suggestions": ["Remove the brand name"]}]
        await box.control("POST", f"/sandbox/products/{product['id']}/review", {"decision": "reject", "reasons": reasons})
        [event] = await events(box)
        assert event["type"] == 5 and event["data"]["status"] == "FAILED"
        got = await get_product(box, shop, product["id"])
        assert got["status"] == "FAILED" and got["audit"] == {"status": "FAILED"}
        assert got["audit_failed_reasons"] == [
            {"position": "product", "reasons": ["Main image has a watermark"], "suggestions": []},
            {"position": "title", "reasons": ["Title has a brand you are not authorised for"],
             "suggestions": ["Remove the brand name"]},
        ]
        [held] = (await box.control("GET", f"/sandbox/shops/{shop.shop_id}/products"))["products"]
        assert held["status"] == "FAILED" and held["audit_failed_reasons"] == got["audit_failed_reasons"]
        bad = await box.http.post(f"/sandbox/products/{product['id']}/review", json={"decision": "maybe"})
        assert bad.status_code == 400
        missing = await box.http.post("/sandbox/products/1/review", json={"decision": "approve"})
        assert missing.status_code == 404


async def test_suspension_and_freeze_fire_with_the_reason(sandbox: Sandbox, shop: Shop) -> None:
    await register(sandbox, shop)
    await sandbox.control("POST", "/sandbox/webhook", {"url": "http://process.test/hook"})
    product = await pending_product(sandbox, shop)
    path = f"/sandbox/products/{product['id']}/status"
    refused = await sandbox.http.post(path, json={"status": "ACTIVATE"})
    assert refused.status_code == 400 and "PLATFORM_DEACTIVATED" in refused.json()["message"]
    await sandbox.control("POST", path, {"status": "PLATFORM_DEACTIVATED", "reason": "Counterfeit suspected"})
    await sandbox.control("POST", path, {"status": "FREEZE"})
    first, second = await events(sandbox)  # to the shop's address for this event, not the process-wide one
    assert first["data"]["status"] == "PLATFORM_DEACTIVATED"
    assert first["data"]["suspended_reason"] == "Counterfeit suspected"
    assert second["data"]["status"] == "FREEZE" and second["data"]["suspended_reason"] == ""
    assert (await get_product(sandbox, shop, product["id"]))["status"] == "FREEZE"


async def test_listing_limit_is_stored_and_shown(sandbox: Sandbox, shop: Shop) -> None:
    path = f"/sandbox/shops/{shop.shop_id}/listing-limit"
    stored = await sandbox.control("POST", path, {"per_day": 25})
    assert stored == {"shop_id": shop.shop_id, "listing_limit_per_day": 25}
    shown = await sandbox.control("GET", f"/sandbox/shops/{shop.shop_id}/products")
    assert shown["listing_limit_per_day"] == 25
    assert (await sandbox.http.post(path, json={"per_day": -1})).status_code == 400
    assert (await sandbox.http.post("/sandbox/shops/9/listing-limit", json={"per_day": 5})).status_code == 404
