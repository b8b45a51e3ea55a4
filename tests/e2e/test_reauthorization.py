"""Issue 8 end to end, the services as processes and never restarted: a shop whose tokens stop working
(the seller removed the app, TikTok revoked them without a word, TikTok ended them early) stops cleanly,
says so in `ttshop shops list`, and resumes everything at once when it works again: orders, tracking and
inventory held meanwhile go out after re-authorisation, each once (R3, R10, R20, R40)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer

from tests.support.devstack import Stack
from tests.support.shops import admin_headers
from tests.support.stack import collect, sandbox
from tests.support.waiting import until

pytestmark = pytest.mark.e2e

REFRESH_PATH = "/api/v2/token/refresh"
#: "within seconds": generous for a loaded 2-core CI machine; typically well under 2 s.
RESUME_S = 30.0


@dataclass
class Shop:
    """A sandbox shop connected through the CLI with order download, tracking and inventory upload on,
    one listing imported, and every service holding a token for it (each has made a call)."""

    stack: Stack
    http: httpx.AsyncClient
    shop_id: str
    name: str
    tax_id: str
    sku: str
    sku_id: str

    @property
    def sandbox(self) -> str:
        return self.stack.url("sandbox")

    async def place_order(self) -> str:
        order = await sandbox(self.http, "POST", f"{self.sandbox}/sandbox/shops/{self.shop_id}/orders",
                              json={"lines": [{"seller_sku": self.sku, "quantity": 1, "unit_price": "9.50"}]})
        return str(order["id"])

    async def downloaded(self, *order_ids: str, timeout_s: float = RESUME_S) -> list[dict[str, Any]]:
        wanted = set(order_ids)
        events = await collect(self.stack.bootstrap, "orders.downloaded", count=len(wanted), timeout_s=timeout_s,
                               predicate=lambda e: e["data"]["order_id"] in wanted)
        assert {e["data"]["order_id"] for e in events} == wanted, f"not on orders.downloaded: {wanted}"
        return events

    async def publish(self, topic: str, event_type: str, key: str, data: dict[str, Any]) -> None:
        event = {"specversion": "1.0", "id": str(uuid.uuid4()), "source": "e2e/upstream", "type": event_type,
                 "time": datetime.now(UTC).isoformat(), "subject": key, "datacontenttype": "application/json",
                 "data": data}
        producer = AIOKafkaProducer(bootstrap_servers=self.stack.bootstrap)
        await producer.start()
        try:
            await producer.send_and_wait(topic, json.dumps(event).encode(), key=key.encode())
        finally:
            await producer.stop()

    async def ship(self, order_id: str) -> str:
        tracking = f"9400{uuid.uuid4().int % 10**18:018d}"
        await self.publish("shipments.created", "ShipmentCreated", order_id, {
            "shop_id": self.shop_id, "order_id": order_id, "shipment_id": f"SHP-{uuid.uuid4().hex[:10]}",
            "carrier": "USPS", "tracking_number": tracking, "shipped_at": datetime.now(UTC).isoformat()})
        return tracking

    async def stock(self, available: int) -> None:
        await self.publish("inventory.changed", "InventoryChanged", self.sku, {
            "seller_sku": self.sku, "available": available, "shop_id": self.shop_id,
            "occurred_at": datetime.now(UTC).isoformat()})

    async def tracking_on_tiktok(self, order_id: str, tracking: str) -> bool:
        held = await sandbox(self.http, "GET", f"{self.sandbox}/sandbox/orders/{order_id}")
        return tracking in json.dumps(held)

    async def quantity_on_tiktok(self) -> int | None:
        products = await sandbox(self.http, "GET", f"{self.sandbox}/sandbox/shops/{self.shop_id}/products")
        for product in products["products"]:
            for sku in product["skus"]:
                if sku["id"] == self.sku_id:
                    return int(sum(i["quantity"] for i in sku["inventory"]))
        return None

    async def mark_shipped_calls(self, order_id: str) -> int:
        path = f"/fulfillment/202309/orders/{order_id}/packages"
        counts = await sandbox(self.http, "GET", f"{self.sandbox}/sandbox/requests", params={"path": path})
        return int(counts["total"])

    async def refreshes(self) -> int:
        counts = await sandbox(self.http, "GET", f"{self.sandbox}/sandbox/requests", params={"path": REFRESH_PATH})
        return int(counts["total"])

    async def shipment(self, order_id: str) -> dict[str, Any] | None:
        r = await self.http.get(f"{self.stack.url('fulfillment')}/shipments", params={"order_id": order_id},
                                headers=admin_headers(self.stack))
        shipments = r.json().get("shipments") or []
        return shipments[0] if shipments else None

    async def inventory_status(self) -> dict[str, Any] | None:
        r = await self.http.get(f"{self.stack.url('catalog')}/inventory/{self.sku}", headers=admin_headers(self.stack))
        if r.status_code != 200:
            return None
        return next((s for s in r.json().get("shops", []) if s.get("shop_id") == self.shop_id), None)

    def status_line(self) -> str:
        """The shop's row in `ttshop shops list`, as an operator reads it."""
        listed = self.stack.ttshop("shops", "list").stdout
        return next(line for line in listed.splitlines() if self.shop_id in line or self.name in line)

    def status_reason(self) -> str:
        shops = json.loads(self.stack.ttshop("--json", "shops", "list").stdout)["shops"]
        return str(next(s for s in shops if s["shop_id"] == self.shop_id)["status_reason"])

    def reconnect(self) -> None:
        """The seller authorised the app again: the operator connects the shop with the fresh code."""
        code = httpx.post(f"{self.sandbox}/sandbox/sellers/{self.shop_id}/auth-codes").json()["data"]["auth_code"]
        self.stack.ttshop("shops", "connect", "--auth-code", code, "--tax-id", self.tax_id, "--name", self.name)


async def wait_for(check: Callable[[], Awaitable[Any]], what: str, timeout_s: float = RESUME_S) -> Any:
    return await until(check, timeout_s=timeout_s, every_s=0.1, what=what)


async def connected_shop(stack: Stack, http: httpx.AsyncClient) -> Shop:
    seller = await sandbox(http, "POST", f"{stack.url('sandbox')}/sandbox/sellers", json={"name": "Reauth Seller"})
    name = f"reauth-{uuid.uuid4().hex[:6]}"
    shop = Shop(stack, http, str(seller["shop_id"]), name, f"TAX-{name}", f"SKU-{name}", "")
    stack.ttshop("shops", "connect", "--auth-code", seller["auth_code"], "--tax-id", shop.tax_id, "--name", name)
    stack.ttshop("shops", "settings", name, "--allow-order-download", "on", "--allow-tracking-upload", "on",
                 "--allow-inventory-upload", "on")
    r = await http.put(f"{stack.url('catalog')}/products/{shop.sku}", json={}, headers=admin_headers(stack))
    assert r.status_code in (200, 201), r.text
    listing = await sandbox(http, "POST", f"{shop.sandbox}/sandbox/shops/{shop.shop_id}/products",
                            json={"title": f"Tee {name}", "skus": [{"seller_sku": shop.sku, "price": "9.50",
                                                                      "quantity": 1}]})
    shop.sku_id = str(listing["skus"][0]["id"])
    assert "1 matched" in stack.ttshop("catalog", "products", "import", shop.shop_id).stdout
    # every service makes a call, so each holds a token it could keep too long
    first = await shop.place_order()
    await shop.downloaded(first, timeout_s=60)
    tracking = await shop.ship(first)
    await wait_for(lambda: shop.tracking_on_tiktok(first, tracking), "warm-up tracking on TikTok", 60)
    await shop.stock(3)
    await wait_for(lambda: _holds(shop, 3), "warm-up inventory on TikTok", 60)
    return shop


async def _holds(shop: Shop, quantity: int) -> bool:
    return await shop.quantity_on_tiktok() == quantity


async def test_deauthorised_then_reconnected_shop_resumes_and_sends_what_waited_once(stack: Stack) -> None:
    async with httpx.AsyncClient(timeout=30) as http:
        shop = await connected_shop(stack, http)
        waiting_order = await shop.place_order()
        await shop.downloaded(waiting_order, timeout_s=60)

        await sandbox(http, "POST", f"{shop.sandbox}/sandbox/shops/{shop.shop_id}/deauthorize")
        await wait_for(lambda: _says(shop, "needs re-authorisation"), "needs re-authorisation in shops list")
        assert "deauthorized" in shop.status_reason()

        # during the outage: the WMS ships, the ERP changes stock, a buyer orders
        tracking = await shop.ship(waiting_order)
        await shop.stock(7)
        during = await shop.place_order()
        # barrier: both services looked at the work and held it (nothing sent to TikTok, nothing given up)
        held = await wait_for(lambda: _held_shipment(shop, waiting_order), "shipment held")
        assert held["upload_status"] == "pending" and held["attempts"] == 0
        await wait_for(lambda: _held_inventory(shop), "inventory held or skipped while unauthorised")
        assert await shop.mark_shipped_calls(waiting_order) == 0
        assert await shop.quantity_on_tiktok() == 3

        shop.reconnect()
        assert "active" in shop.status_line()
        after = await shop.place_order()
        await shop.downloaded(during, after)
        await wait_for(lambda: shop.tracking_on_tiktok(waiting_order, tracking), "held tracking on TikTok")
        await wait_for(lambda: _holds(shop, 7), "inventory changed during the outage on TikTok")
        shipped = await wait_for(lambda: _uploaded(shop, waiting_order), "shipment uploaded")
        assert shipped["tracking_number"] == tracking
        assert await shop.mark_shipped_calls(waiting_order) == 1
        assert len(await shop.downloaded(during, timeout_s=3)) == 1  # exactly one OrderDownloaded


async def test_tokens_revoked_without_a_webhook_show_needs_reauthorization_then_resume(stack: Stack) -> None:
    async with httpx.AsyncClient(timeout=30) as http:
        shop = await connected_shop(stack, http)
        await sandbox(http, "POST", f"{shop.sandbox}/sandbox/faults",
                      json={"kind": "revoke_tokens", "shop_id": shop.shop_id})
        during = await shop.place_order()  # the orders service finds out when it fetches it
        await wait_for(lambda: _says(shop, "needs re-authorisation"), "needs_reauthorization within a minute", 60)
        assert "revoked" in shop.status_reason()

        shop.reconnect()
        after = await shop.place_order()
        await shop.downloaded(during, after)
        await shop.stock(11)
        await wait_for(lambda: _holds(shop, 11), "inventory after reconnect")


async def test_tokens_ended_early_are_refreshed_once_and_every_service_resumes(stack: Stack) -> None:
    async with httpx.AsyncClient(timeout=30) as http:
        shop = await connected_shop(stack, http)
        unshipped = await shop.place_order()
        await shop.downloaded(unshipped, timeout_s=60)
        before = await shop.refreshes()

        await sandbox(http, "POST", f"{shop.sandbox}/sandbox/tokens/expire", json={"shop_id": shop.shop_id})
        tracking = await shop.ship(unshipped)
        await shop.stock(5)
        order = await shop.place_order()
        await shop.downloaded(order)
        await wait_for(lambda: shop.tracking_on_tiktok(unshipped, tracking), "tracking after early expiry")
        await wait_for(lambda: _holds(shop, 5), "inventory after early expiry")
        assert await shop.refreshes() - before == 1
        assert "active" in shop.status_line()


async def _says(shop: Shop, words: str) -> bool:
    return words in shop.status_line()


async def _held_shipment(shop: Shop, order_id: str) -> dict[str, Any] | None:
    found = await shop.shipment(order_id)
    return found if found and "held until" in (found.get("error") or "") else None


async def _held_inventory(shop: Shop) -> bool:
    status = await shop.inventory_status()
    return bool(status) and status.get("upload_status") in ("pending", "skipped") and bool(status.get("error"))


async def _uploaded(shop: Shop, order_id: str) -> dict[str, Any] | None:
    found = await shop.shipment(order_id)
    return found if found and found["upload_status"] == "uploaded" else None
