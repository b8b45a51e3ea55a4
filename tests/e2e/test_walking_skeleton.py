"""End to end through the real entry points: `ttshop` CLI, the services as processes, plain Kafka
clients on the public topics, and the sandbox standing in for TikTok (R2, R4, R5, R10-R12, R20)."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from aiokafka import AIOKafkaProducer

from tests.support.stack import collect, sandbox

pytestmark = pytest.mark.e2e


async def test_order_reaches_wms_and_tracking_reaches_tiktok(stack):
    async with httpx.AsyncClient(timeout=30) as http:
        seller = await sandbox(http, "POST", f"{stack.url('sandbox')}/sandbox/sellers", json={"name": "E2E Seller"})
        shop_id = seller["shop_id"]
        stack.ttshop("shops", "connect", "--auth-code", seller["auth_code"], "--tax-id", "E2E-TAX", "--name", "e2e")
        stack.ttshop("shops", "test", "e2e")
        stack.ttshop("shops", "settings", "e2e", "--allow-order-download", "on", "--allow-tracking-upload", "on")
        listed = stack.ttshop("shops", "list").stdout
        assert shop_id in listed and "e2e" in listed

        order = await sandbox(http, "POST", f"{stack.url('sandbox')}/sandbox/shops/{shop_id}/orders",
                              json={"lines": [{"seller_sku": "E2E-SKU", "quantity": 2, "unit_price": "12.50"}]})
        order_id = order["id"]

        # a WMS reads orders.downloaded with a plain Kafka consumer
        events = await collect(stack.bootstrap, "orders.downloaded", count=1, timeout_s=60,
                               predicate=lambda e: e["data"]["order_id"] == order_id)
        assert len(events) == 1
        data = events[0]["data"]
        assert data["channel"] == "TikTok Shop" and data["order_source"] == "Website"
        [line] = data["lines"]
        assert line["seller_sku"] == "E2E-SKU" and line["quantity"] == 2 and len(line["line_item_ids"]) == 2

        shown = stack.ttshop("orders", "show", order_id).stdout
        assert "E2E-SKU" in shown

        # the WMS ships it: a plain producer publishes ShipmentCreated
        tracking = f"9400{uuid.uuid4().int % 10**18:018d}"
        shipment = {
            "specversion": "1.0", "id": str(uuid.uuid4()), "source": "wms/e2e", "type": "ShipmentCreated",
            "time": datetime.now(UTC).isoformat(), "subject": order_id, "datacontenttype": "application/json",
            "shopid": shop_id,
            "data": {"shop_id": shop_id, "order_id": order_id, "shipment_id": f"SHP-{uuid.uuid4().hex[:8]}",
                     "carrier": "USPS", "tracking_number": tracking, "shipped_at": datetime.now(UTC).isoformat()},
        }
        producer = AIOKafkaProducer(bootstrap_servers=stack.bootstrap)
        await producer.start()
        try:
            await producer.send_and_wait("shipments.created", json.dumps(shipment).encode(), key=order_id.encode())
        finally:
            await producer.stop()

        deadline = asyncio.get_running_loop().time() + 60
        while True:
            held = await sandbox(http, "GET", f"{stack.url('sandbox')}/sandbox/orders/{order_id}")
            if tracking in json.dumps(held):
                break
            assert asyncio.get_running_loop().time() < deadline, f"tracking never reached TikTok: {held}"
            await asyncio.sleep(0.25)
        assert held["status"] in {"AWAITING_COLLECTION", "IN_TRANSIT"}

        shipped = await collect(stack.bootstrap, "orders.status-changed", count=1, timeout_s=60,
                                predicate=lambda e: e["data"]["order_id"] == order_id and e["data"]["kind"] == "shipped")
        assert shipped, "no OrderStatusChanged(shipped) published"

        # a manual range download (R11) of the same day finds the order again and adds no duplicate
        day = datetime.now(UTC).date()
        out = stack.ttshop("orders", "download", shop_id, "--from", str(day), "--to", str(day + timedelta(days=1)),
                           timeout=120).stdout
        assert "done" in out.lower()
        again = await collect(stack.bootstrap, "orders.downloaded", count=2, timeout_s=5,
                              predicate=lambda e: e["data"]["order_id"] == order_id)
        assert len(again) == 1


def test_bad_cli_argument_names_the_option(stack):
    result = stack.ttshop("shops", "settings", "e2e", "--allow-order-download", "maybe", check=False)
    assert result.returncode != 0
    assert "--allow-order-download" in (result.stdout + result.stderr)
