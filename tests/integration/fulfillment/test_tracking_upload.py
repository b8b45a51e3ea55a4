"""R20/R24: ShipmentCreated -> tracking on TikTok (sandbox), partial shipments, idempotence,
and OrderStatusChanged(shipped) on the topic."""

from __future__ import annotations

import pytest

from libs.sandbox.logistics import SHIPPING_PROVIDERS
from tests.integration.fulfillment.conftest import Harness
from tests.support.shipments import settled, shipped
from tests.support.stack import collect

pytestmark = pytest.mark.integration

USPS_ID = next(pid for pid, name in SHIPPING_PROVIDERS.items() if name == "USPS")


async def test_partial_then_remaining_shipment_upload_once_each(harness: Harness, kafka_bootstrap: str,
                                                                unique: str) -> None:
    shop_id = await harness.new_shop()
    order = await harness.place_order(shop_id, {f"RED-{unique}": 2, f"BLUE-{unique}": 1})
    await harness.download(shop_id, order)

    # the WMS ships one RED unit with UPS (by name, lower case), then the rest with a provider id
    first = shipped(shop_id, order["id"], f"W1-{unique}", f"1Z{unique}A", carrier="ups",
                    lines=[{"seller_sku": f"RED-{unique}", "quantity": 1}])
    await harness.publish(first)
    s1 = await harness.shipment(first.shipment_id, until=settled)
    assert s1["upload_status"] == "uploaded", s1
    assert s1["tiktok_package_id"] and len(s1["line_item_ids"]) == 1
    red_ids = [i["id"] for i in order["line_items"] if i["seller_sku"] == f"RED-{unique}"]
    assert s1["line_item_ids"][0] in red_ids

    second = shipped(shop_id, order["id"], f"W2-{unique}", f"1Z{unique}B", carrier=USPS_ID)
    await harness.publish(second)
    s2 = await harness.shipment(second.shipment_id, until=settled)
    assert s2["upload_status"] == "uploaded", s2
    assert sorted(s1["line_item_ids"] + s2["line_item_ids"]) == sorted(i["id"] for i in order["line_items"])

    # the same shipment again with a new event id: recorded once, uploaded once
    await harness.publish(first)
    await harness.publish(first)
    third = shipped(shop_id, order["id"], f"W3-{unique}", f"1Z{unique}C")  # a marker that comes after them
    await harness.publish(third)
    s3 = await harness.shipment(third.shipment_id, until=settled)
    assert s3["upload_status"] == "failed" and "no unshipped" in s3["error"]

    tiktok = await harness.tiktok_order(order["id"])
    assert tiktok["status"] == "AWAITING_COLLECTION"
    assert len(tiktok["packages"]) == 2
    by_item = {i["id"]: i["tracking_number"] for i in tiktok["line_items"]}
    assert by_item[s1["line_item_ids"][0]] == f"1Z{unique}A"
    assert {by_item[i] for i in s2["line_item_ids"]} == {f"1Z{unique}B"}

    listed = (await harness.http.get(f"{harness.url}/shipments", params={"order_id": order["id"]})).json()
    assert sorted(s["shipment_id"] for s in listed["shipments"]) == sorted(
        [first.shipment_id, second.shipment_id, third.shipment_id])

    events = await collect(kafka_bootstrap, "orders.status-changed", count=2,
                           predicate=lambda e: e["data"]["order_id"] == order["id"] and e["data"]["kind"] == "shipped")
    statuses = sorted(e["data"]["status"] for e in events)
    assert statuses == ["Partially Shipped", "Shipped"]
    final = next(e for e in events if e["data"]["status"] == "Shipped")
    assert {t["tracking_number"] for t in final["data"]["tracking"]} == {f"1Z{unique}A", f"1Z{unique}B"}
    assert final["source"] == "ttshop/fulfillment"


async def test_shipment_before_its_order_waits_then_uploads(harness: Harness, unique: str) -> None:
    shop_id = await harness.new_shop()
    order = await harness.place_order(shop_id, {f"SKU-{unique}": 1})
    early = shipped(shop_id, order["id"], f"W-{unique}", f"EARLY{unique}")
    await harness.publish(early)
    waiting = await harness.shipment(early.shipment_id, until=lambda s: True)
    assert waiting["upload_status"] == "waiting_for_order"

    await harness.download(shop_id, order, wait=False)
    done = await harness.shipment(early.shipment_id, until=settled)
    assert done["upload_status"] == "uploaded", done
    assert (await harness.tiktok_order(order["id"]))["line_items"][0]["tracking_number"] == f"EARLY{unique}"


async def test_unknown_carrier_fails_naming_the_known_ones_and_retry_after_fix(harness: Harness, unique: str) -> None:
    shop_id = await harness.new_shop()
    order = await harness.place_order(shop_id, {f"SKU-{unique}": 1})
    await harness.download(shop_id, order)
    bad = shipped(shop_id, order["id"], f"W-{unique}", f"RM{unique}", carrier="Royal Mail")
    await harness.publish(bad)
    failed = await harness.shipment(bad.shipment_id, until=settled)
    assert failed["upload_status"] == "failed"
    assert failed["error"].startswith(f"unknown carrier 'Royal Mail' for shop {shop_id}; known: ")
    assert "UPS (" in failed["error"] and "USPS (" in failed["error"]
    assert (await harness.tiktok_order(order["id"]))["packages"] == []

    r = await harness.http.post(f"{harness.url}/shipments/nope-{unique}/retry")  # unknown shipment
    assert r.status_code == 404
    # the corrected shipment (new id) goes through: the failed one held no line items
    good = shipped(shop_id, order["id"], f"W2-{unique}", f"UPS{unique}")
    await harness.publish(good)
    assert (await harness.shipment(good.shipment_id, until=settled))["upload_status"] == "uploaded"
    r = await harness.http.post(f"{harness.url}/shipments/{bad.shipment_id}/retry")
    assert r.status_code == 409 and "no unshipped" in r.json()["error"]["message"]


async def test_tracking_upload_off_then_on_and_retry(harness: Harness, unique: str) -> None:
    shop_id = await harness.new_shop(tracking_upload=False)
    order = await harness.place_order(shop_id, {f"SKU-{unique}": 2})
    await harness.download(shop_id, order)
    ship = shipped(shop_id, order["id"], f"W-{unique}", f"OFF{unique}")
    await harness.publish(ship)
    off = await harness.shipment(ship.shipment_id, until=settled)
    assert off["upload_status"] == "not_uploaded" and off["error"].startswith("tracking upload off")
    r = await harness.http.post(f"{harness.url}/shipments/{ship.shipment_id}/retry")
    assert r.status_code == 409 and "tracking upload off" in r.json()["error"]["message"]

    await harness.set_tracking_upload(shop_id, True)
    r = await harness.http.post(f"{harness.url}/shipments/{ship.shipment_id}/retry")
    assert r.status_code == 200, r.text
    assert (await harness.shipment(ship.shipment_id, until=settled))["upload_status"] == "uploaded"
    assert len((await harness.tiktok_order(order["id"]))["packages"]) == 1
