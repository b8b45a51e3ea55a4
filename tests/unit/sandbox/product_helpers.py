"""Helpers for the product create / edit tests: a clock the test moves, signed calls stamped with it,
the shop's PRODUCT_STATUS_CHANGE webhooks as received, and create bodies that pass every check."""

from __future__ import annotations

import json
import time
from typing import Any

from libs.common.tiktok.signing import verify_webhook
from libs.sandbox.webhooks import WebhookPoster
from tests.unit.sandbox.conftest import APP_KEY, APP_SECRET, Sandbox, Shop
from tests.unit.sandbox.listing_helpers import good_tshirt_body

PRODUCTS = "/product/202309/products"
SEARCH = "/product/202309/products/search"
HOOK = "http://shop.test/products"


class Clock:
    """Starts at the real time (uploads are stamped with it) and moves only when the test says so."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


async def api(box: Sandbox, clock: Clock, method: str, path: str, shop: Shop, body: Any = None,
              params: dict[str, Any] | None = None) -> dict[str, Any]:
    """A signed call stamped with the sandbox's clock; the envelope."""
    response = await box.call(method, path, shop=shop, body=body, params=params, timestamp=int(clock()))
    return response.json()  # type: ignore[no-any-return]


async def ok(box: Sandbox, clock: Clock, method: str, path: str, shop: Shop, body: Any = None,
             params: dict[str, Any] | None = None) -> dict[str, Any]:
    answer = await api(box, clock, method, path, shop, body, params)
    assert answer["code"] == 0, answer
    return answer["data"]  # type: ignore[no-any-return]


async def create(box: Sandbox, clock: Clock, shop: Shop, body: dict[str, Any]) -> dict[str, Any]:
    return await ok(box, clock, "POST", PRODUCTS, shop, body)


async def get(box: Sandbox, clock: Clock, shop: Shop, product_id: str) -> dict[str, Any]:
    return await ok(box, clock, "GET", f"{PRODUCTS}/{product_id}", shop)


async def held(box: Sandbox, shop: Shop) -> dict[str, Any]:
    """``GET /sandbox/shops/{id}/products``: the products, the limit and today's count."""
    return await box.control("GET", f"/sandbox/shops/{shop.shop_id}/products")


async def register(box: Sandbox, clock: Clock, shop: Shop) -> None:
    await ok(box, clock, "PUT", "/event/202309/webhooks", shop, {"address": HOOK, "event_type": "PRODUCT_STATUS_CHANGE"})


async def events(box: Sandbox) -> list[dict[str, Any]]:
    """Every webhook received so far (after all scheduled deliveries finished), signature checked."""
    poster: WebhookPoster = box.app.state.webhooks
    await poster.drain()
    assert all(str(r.url) == HOOK for r in box.captured)
    assert all(verify_webhook(APP_KEY, APP_SECRET, r.content, r.headers["Authorization"]) for r in box.captured)
    return [json.loads(r.content) for r in box.captured]


async def three_sku_body(box: Sandbox, shop: Shop) -> dict[str, Any]:
    """``good_tshirt_body`` with a third SKU (Red / S)."""
    body = await good_tshirt_body(box, shop)
    color, size = (a["id"] for a in body["skus"][0]["sales_attributes"])
    body["skus"].append({
        "seller_sku": "TEE-RED-S", "price": {"amount": "18.50", "currency": "USD"},
        "inventory": [{"warehouse_id": shop.warehouse_id, "quantity": 4}],
        "sales_attributes": [{"id": color, "value_name": "Red"}, {"id": size, "value_name": "S"}],
    })
    return body


def by_seller_sku(product: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["seller_sku"]: s for s in product["skus"]}
