"""`ttshop status` against the system as `make run` starts it: every service ready with its version, the
outbox, the consumer lag of each group, every DLQ, and a shop's last order download and tracking upload once
an order went through; a service that cannot be reached is said to in its row and the command exits 1."""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer

from libs.cli.infra import free_port
from libs.common.events import new_event
from libs.common.events.registry import TOPICS, dlq_topic
from libs.common.status import package_version
from tests.support.devstack import Stack
from tests.support.shipments import shipped
from tests.support.shops import connect_shop, control
from tests.support.stack import collect
from tests.support.waiting import until

pytestmark = pytest.mark.e2e
SERVICES = ("auth", "catalog", "orders", "fulfillment")


def _rows(stack: Stack, *args: str, check: bool = True) -> tuple[int, list[tuple[str, ...]]]:
    result = stack.ttshop("status", *args, check=check)
    lines = result.stdout.splitlines()
    assert lines[:2] == ["# ttshop status", "check\tsubject\tstate\tdetail"], result.stdout
    return result.returncode, [tuple(line.split("\t")) for line in lines[2:]]


async def test_status_shows_the_whole_system_and_a_shop_after_an_order_went_through(stack: Stack) -> None:
    async with httpx.AsyncClient(timeout=30) as http:
        shop_id = await connect_shop(stack, http, "--allow-order-download", "--allow-tracking-upload", name="status")
        sandbox = stack.url("sandbox")
        order = await control(http, "POST", f"{sandbox}/sandbox/shops/{shop_id}/orders",
                              json={"lines": [{"seller_sku": "STATUS-SKU", "quantity": 1, "unit_price": "3.00"}]})
        order_id = str(order["id"])
        [downloaded] = await collect(stack.bootstrap, "orders.downloaded", count=1, timeout_s=60,
                                     predicate=lambda e: e["data"]["order_id"] == order_id)
        tracking = f"9400{uuid.uuid4().int % 10**18:018d}"
        event = new_event(shipped(shop_id, order_id, f"SHP-{uuid.uuid4().hex[:8]}", tracking), source="wms/e2e")
        producer = AIOKafkaProducer(bootstrap_servers=stack.bootstrap)
        await producer.start()
        try:
            await producer.send_and_wait("shipments.created", event.to_bytes(), key=order_id.encode())
        finally:
            await producer.stop()

        async def tracked() -> list[tuple[str, ...]] | None:
            code, rows = _rows(stack)
            assert code == 0, rows
            uploads = [r for r in rows if r[:2] == ("tracking upload", shop_id)]
            return rows if uploads and uploads[0][2] != "never" else None

        rows = await until(tracked, timeout_s=90, every_s=1.0, what=f"a tracking upload of shop {shop_id} in status")

    version = f"version {package_version()}"
    assert [r for r in rows if r[0] == "service"] == [("service", s, "ready", version) for s in SERVICES]
    assert {r[1] for r in rows if r[0] == "outbox"} == set(SERVICES)
    assert all(r[2].endswith(" unsent") for r in rows if r[0] == "outbox")
    lagging = {r[1] for r in rows if r[0] == "consumer lag"}
    assert {"ttshop-fulfillment shipments.created", "ttshop-fulfillment orders.downloaded",
            "ttshop-catalog inventory.changed", "ttshop-orders shops.changed"} <= lagging
    assert all(r[2].isdigit() for r in rows if r[0] == "consumer lag")
    assert sorted(r[1] for r in rows if r[0] == "dlq") == sorted(dlq_topic(t) for t in TOPICS)
    assert shop_id not in {r[1] for r in rows if r[0] == "re-authorisation"}
    [download] = [r for r in rows if r[:2] == ("order download", shop_id)]
    assert download[2].endswith(" ago)") and download[3] in ("via webhook", "via poll")
    assert [r[2] for r in rows if r[:2] == ("inventory push", shop_id)] == ["never"]  # nothing listed
    assert downloaded["data"]["shop_id"] == shop_id


def test_status_json_and_a_service_that_cannot_be_reached(stack: Stack) -> None:
    body: dict[str, Any] = json.loads(stack.ttshop("--json", "status").stdout)
    assert body["ok"] is True and [s["state"] for s in body["services"]] == ["ready"] * 4
    assert {s["service"]: s["consumer_group"] for s in body["services"]}["fulfillment"] == "ttshop-fulfillment"
    assert body["broker"]["error"] is None and len(body["dlq"]) == len(TOPICS)

    nobody = f"http://127.0.0.1:{free_port()}"
    stack.env["ORDERS_URL"] = nobody
    try:
        code, rows = _rows(stack, check=False)
    finally:
        del stack.env["ORDERS_URL"]
    assert code == 1
    [orders] = [r for r in rows if r[:2] == ("service", "orders")]
    assert orders[2] == "down" and f"orders service not reachable at {nobody}" in orders[3]
    assert ("service", "catalog", "ready", f"version {package_version()}") in rows  # the rest is still shown
    assert ("order download", "(every shop)", "unknown", "its service did not answer") in rows
