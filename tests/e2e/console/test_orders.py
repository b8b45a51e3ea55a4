"""The console's orders pages in a real headless Chromium on the whole stack (issue 15): an order placed in
the sandbox appears on /orders without reloading, and shipped by hand from its page its tracking reaches
TikTok (the sandbox)."""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.devstack import Stack
from tests.support.shops import admin_headers, connect_shop, control
from tests.support.waiting import until

pytestmark = pytest.mark.e2e
DOCS = Path(__file__).resolve().parents[3] / "docs" / "console"


async def save_shot(page: Any, name: str) -> None:
    """docs/console/<name>.png (1400 px wide), only when CONSOLE_SCREENSHOTS=1."""
    if os.environ.get("CONSOLE_SCREENSHOTS") == "1":
        DOCS.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(DOCS / f"{name}.png"), full_page=True)


async def downloads_orders(http: httpx.AsyncClient, stack: Stack, shop_id: str) -> bool:
    """The orders service has seen the shop's "download orders" switch (it learns it from shops.changed)."""
    shops = (await http.get(f"{stack.url('orders')}/shops", headers=admin_headers(stack))).json().get("shops", [])
    return any(s.get("shop_id") == shop_id and s.get("allow_order_download") for s in shops)


async def test_an_order_appears_live_and_ships_by_hand_to_tiktok(console: Any, stack: Stack) -> None:
    base, sandbox = stack.url("console"), stack.url("sandbox")
    async with httpx.AsyncClient(timeout=30) as http:
        shop_id = await connect_shop(stack, http, "--allow-order-download", "--allow-tracking-upload",
                                     name="console-orders")
        await until(lambda: downloads_orders(http, stack, shop_id), timeout_s=30, what="orders sees the switch")

        await console.goto(f"{base}/orders?shop={shop_id}")
        await console.locator("#orders-table td.empty").wait_for()
        await console.evaluate("window.notReloaded = true")
        placed = await control(http, "POST", f"{sandbox}/sandbox/shops/{shop_id}/orders", json={"lines": [
            {"seller_sku": "CONSOLE-TEE", "quantity": 2, "unit_price": "12.50"},
            {"seller_sku": "CONSOLE-MUG", "quantity": 1, "unit_price": "8.00"}], "buyer_message": "Gift wrap, please"})
        order_id = str(placed["id"])

        row = console.locator(f"#orders-table tr[data-order='{order_id}']")
        await row.wait_for(timeout=60_000)  # the live table refreshes itself: no reload, no click
        assert await console.evaluate("window.notReloaded") is True
        assert "AWAITING_SHIPMENT" in await row.inner_text() and "In Process" in await row.inner_text()
        await save_shot(console, "orders")

        await row.locator(f"a[href='/orders/{order_id}']").click()
        await console.wait_for_url(f"{base}/orders/{order_id}")
        assert "CONSOLE-MUG" in await console.locator("table.lines").inner_text()
        tracking = f"9400{uuid.uuid4().int % 10**18:018d}"
        await console.fill("form.ship-form input[name=carrier]", "USPS")
        await console.fill("form.ship-form input[name=tracking]", tracking)
        await console.click("form.ship-form button[type=submit]")
        await console.locator(".flash.ok", has_text=f"of order {order_id}: USPS {tracking}").wait_for()

        async def tiktok_has_it() -> bool:
            held = await control(http, "GET", f"{sandbox}/sandbox/orders/{order_id}")
            return tracking in json.dumps(held)

        await until(tiktok_has_it, timeout_s=60, what="the tracking on the sandbox")
        shipment = console.locator("#order-live tr[data-shipment] td.tracking", has_text=tracking)
        await shipment.wait_for()
        await console.locator("#order-live td[data-upload='uploaded']").wait_for(timeout=30_000)
        await console.locator("#order-live [data-status='ours']", has_text="Shipped").wait_for(timeout=30_000)
        await save_shot(console, "order")
