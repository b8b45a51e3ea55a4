"""R22/R23/R14 shipping-change query against the sandbox: FBT orders become Completed from the query
alone, tracking of orders shipped outside our system is brought in, and TikTok's side (awaiting
collection, in transit, delivered) is shown next to ours and published once per change."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from pydantic import SecretStr

from libs.common.settings import SANDBOX_APP_KEY, SANDBOX_APP_SECRET
from libs.common.tiktok.client import TikTokClient
from libs.sandbox.logistics import SHIPPING_PROVIDERS, TIKTOK_PROVIDER_NAME
from services.fulfillment.tiktok import FulfillmentTikTok
from tests.integration.fulfillment.conftest import Harness
from tests.support.shipments import settled, shipped
from tests.support.stack import sandbox

pytestmark = pytest.mark.integration

UPS_ID = next(pid for pid, name in SHIPPING_PROVIDERS.items() if name == "UPS")


async def shipments_of(harness: Harness, order_id: str) -> list[dict[str, Any]]:
    body = (await harness.http.get(f"{harness.url}/shipments", params={"order_id": order_id})).json()
    return list(body["shipments"])


async def wait_shipments(harness: Harness, order_id: str, until: Callable[[list[dict[str, Any]]], bool],
                         timeout_s: float = 20.0) -> list[dict[str, Any]]:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    found: list[dict[str, Any]] = []
    while loop.time() < deadline:
        found = await shipments_of(harness, order_id)
        if until(found):
            return found
        await asyncio.sleep(0.1)
    raise AssertionError(f"shipments of {order_id} never matched; last: {found}")


def side_is(expected: str) -> Callable[[dict[str, Any]], bool]:
    return lambda s: s["tiktok_side"] == expected


async def test_fbt_order_becomes_completed_from_the_query_alone(harness: Harness, unique: str) -> None:
    """R14/R22: TikTok ships an FBT order; the query brings its tracking in and completes the order.
    With "query shipping change" off, nothing is brought in."""
    shop_id = await harness.new_shop(query_shipping=True)
    quiet_shop = await harness.new_shop(query_shipping=False)
    order = await harness.place_order(shop_id, {f"FBT-{unique}": 2}, fulfillment_type="FULFILLMENT_BY_TIKTOK")
    quiet = await harness.place_order(quiet_shop, {f"FBT-{unique}": 1}, fulfillment_type="FULFILLMENT_BY_TIKTOK")
    await harness.download(shop_id, order)
    await harness.download(quiet_shop, quiet)

    for o in (order, quiet):
        await sandbox(harness.http, "POST", f"{harness.sandbox_url}/sandbox/orders/{o['id']}/advance")
    tiktok = await harness.tiktok_order(order["id"])
    assert tiktok["status"] == "IN_TRANSIT" and tiktok["tracking_number"].startswith("TT")

    completed = await harness.events(order["id"], count=1, kind="completed")
    data = completed[0]["data"]
    assert data["status"] == "Completed" and data["tiktok_status"] == "IN_TRANSIT"
    assert [(t["tracking_number"], t["carrier"]) for t in data["tracking"]] == [
        (tiktok["tracking_number"], TIKTOK_PROVIDER_NAME)]
    shipped_events = await harness.events(order["id"], count=1, kind="shipped")
    assert shipped_events[0]["data"]["status"] == "Shipped"
    assert shipped_events[0]["data"]["details"]["source"] == "tiktok"

    [found] = await shipments_of(harness, order["id"])
    assert found["source"] == "tiktok" and found["upload_status"] == "uploaded"
    assert found["tiktok_side"] == "in transit" and sorted(found["line_item_ids"]) == sorted(
        i["id"] for i in order["line_items"])
    assert await harness.mark_shipped_calls(order["id"]) == 0  # nothing was uploaded by us

    await asyncio.sleep(1.5)  # three query intervals of the other shop
    assert await shipments_of(harness, quiet["id"]) == []


async def test_tracking_of_an_order_shipped_outside_is_brought_in(harness: Harness, unique: str) -> None:
    """R22: the seller shipped on TikTok without us; the query records that shipment (source tiktok),
    publishes ShipmentCreated and OrderStatusChanged(shipped), and our consumer uploads nothing."""
    shop_id = await harness.new_shop(query_shipping=True)
    order = await harness.place_order(shop_id, {f"OUT-{unique}": 1})
    await harness.download(shop_id, order)
    seller_center = FulfillmentTikTok(TikTokClient(
        http=harness.http, base_url=harness.sandbox_url, app_key=SANDBOX_APP_KEY,
        app_secret=SecretStr(SANDBOX_APP_SECRET), tokens=harness.tokens, limiter=None,
    ))
    package_id = await seller_center.mark_shipped(
        shop_id=shop_id, order_id=order["id"], tracking_number=f"OUT{unique}", provider_id=UPS_ID,
        line_item_ids=[order["line_items"][0]["id"]])

    [found] = await wait_shipments(harness, order["id"], until=lambda s: len(s) == 1)
    assert found["shipment_id"] == f"tiktok-{package_id}" and found["source"] == "tiktok"
    assert (found["tracking_number"], found["carrier"], found["tiktok_package_id"]) == (
        f"OUT{unique}", "UPS", package_id)
    assert found["tiktok_side"] == "awaiting collection"

    event = (await harness.events(order["id"], count=1, kind="shipped"))[0]["data"]
    assert event["status"] == "Shipped" and event["tracking"][0]["tracking_number"] == f"OUT{unique}"
    created = await harness.events(order["id"], count=1, topic="shipments.created")
    assert created[0]["data"]["shipment_id"] == found["shipment_id"]
    await harness.wait_db("SELECT count(*) FROM fulfillment.inbox WHERE event_id = $1", created[0]["id"],
                          until=lambda n: n == 1)
    assert await harness.mark_shipped_calls(order["id"]) == 1  # only the seller's own call
    assert len(await harness.events(order["id"], count=2, kind="completed", timeout_s=1)) == 0

    # a WMS shipment of the same unit arriving late is refused: TikTok already has it
    late = shipped(shop_id, order["id"], f"W-{unique}", f"LATE{unique}")
    await harness.publish(late)
    refused = await harness.shipment(late.shipment_id, until=settled)
    assert refused["upload_status"] == "failed" and "no unshipped" in refused["error"]


async def test_tiktok_side_is_shown_and_published_once_per_change(harness: Harness, unique: str) -> None:
    """R23: our uploaded shipment shows awaiting collection, in transit, delivered as TikTok moves it;
    one OrderStatusChanged(status) per change; a delivered order is no longer queried."""
    shop_id = await harness.new_shop(query_shipping=True)
    order = await harness.place_order(shop_id, {f"TS-{unique}": 1})
    await harness.download(shop_id, order)
    ship = shipped(shop_id, order["id"], f"W-{unique}", f"TS{unique}")
    await harness.publish(ship)
    assert (await harness.shipment(ship.shipment_id, until=settled))["upload_status"] == "uploaded"

    sides = []
    for expected in ("awaiting collection", "in transit", "delivered"):
        if expected != "awaiting collection":
            await sandbox(harness.http, "POST", f"{harness.sandbox_url}/sandbox/orders/{order['id']}/advance")
        seen = await harness.shipment(ship.shipment_id, until=side_is(expected))
        sides.append(seen["tiktok_side"])
    assert sides == ["awaiting collection", "in transit", "delivered"]

    events = await harness.events(order["id"], count=3, kind="status")
    assert [e["data"]["tiktok_status"] for e in events] == ["AWAITING_COLLECTION", "IN_TRANSIT", "DELIVERED"]
    assert [e["data"]["details"]["tiktok_side"] for e in events] == ["awaiting collection", "in transit",
                                                                     "delivered"]
    assert all(e["data"]["status"] == "Shipped" for e in events)
    assert len(await shipments_of(harness, order["id"])) == 1  # our own package is not brought in again

    await sandbox(harness.http, "POST", f"{harness.sandbox_url}/sandbox/orders/{order['id']}/advance")
    await asyncio.sleep(1.5)  # delivered is final: the query stopped asking, COMPLETED is not seen
    assert len(await harness.events(order["id"], count=4, kind="status", timeout_s=1)) == 3
    tracking = await sandbox(harness.http, "GET", f"{harness.sandbox_url}/sandbox/orders/{order['id']}")
    assert [t["description"] for t in tracking["tracking"]][:2] == ["Order completed", "Package delivered"]


async def test_an_fbt_order_tiktok_ships_is_completed_within_seconds_of_the_status_change(
    harness: Harness, unique: str
) -> None:
    """R14 in seconds: the orders service says (orders.status-changed, from TikTok's webhook) that an FBT
    order is in transit; fulfillment reads that order at once and completes it, although the shop's
    periodic query is an hour away."""
    import time
    from datetime import UTC, datetime

    from libs.common.events.orders import OrderStatusChanged

    shop_id = await harness.new_shop(query_shipping=True)
    order = await harness.place_order(shop_id, {f"FAST-{unique}": 1}, fulfillment_type="FULFILLMENT_BY_TIKTOK")
    await harness.download(shop_id, order)
    await harness.wait_db("UPDATE fulfillment.shops SET shipping_query_due_at = now() + interval '1 hour'"
                          " WHERE shop_id = $1 RETURNING shop_id", shop_id, until=lambda v: v == shop_id)
    await sandbox(harness.http, "POST", f"{harness.sandbox_url}/sandbox/orders/{order['id']}/advance")
    started = time.monotonic()
    await harness.publish(OrderStatusChanged(shop_id=shop_id, order_id=order["id"], status="Shipped", kind="status",
                                             tiktok_status="IN_TRANSIT", occurred_at=datetime.now(UTC)))
    completed = await harness.events(order["id"], count=1, kind="completed", timeout_s=10)
    assert completed and completed[0]["data"]["status"] == "Completed", completed  # the periodic query slept
    print(f"\nR14: FBT order completed {time.monotonic() - started:.2f} s after orders.status-changed")
