"""R21 manual tracking: POST /orders/{id}/ship uploads through the worker, marks the order Shipped
then Completed, and is published as ShipmentCreated that our own consumer does not upload again."""

from __future__ import annotations

import pytest

from tests.integration.fulfillment.conftest import Harness
from tests.support.shipments import settled

pytestmark = pytest.mark.integration


async def test_manual_ship_uploads_once_and_completes_the_order(harness: Harness, unique: str) -> None:
    """R21: tracking uploaded, OrderStatusChanged shipped then completed; the ShipmentCreated we
    publish comes back through our consumer and is not uploaded a second time."""
    shop_id = await harness.new_shop()
    order = await harness.place_order(shop_id, {f"MUG-{unique}": 2})
    await harness.download(shop_id, order)

    r = await harness.http.post(f"{harness.url}/orders/{order['id']}/ship",
                                json={"carrier": "UPS", "tracking_number": f"MAN{unique}"})
    assert r.status_code == 201, r.text
    created = r.json()
    assert created["source"] == "manual" and created["upload_status"] == "pending"
    assert sorted(created["line_item_ids"]) == sorted(i["id"] for i in order["line_items"])
    done = await harness.shipment(created["shipment_id"], until=settled)
    assert done["upload_status"] == "uploaded", done

    # our own ShipmentCreated was consumed (inbox) and changed nothing
    announced = await harness.events(order["id"], count=1, topic="shipments.created")
    assert announced[0]["data"]["shipment_id"] == created["shipment_id"]
    assert announced[0]["source"] == "ttshop/fulfillment"
    await harness.wait_db("SELECT count(*) FROM fulfillment.inbox WHERE event_id = $1", announced[0]["id"],
                          until=lambda n: n == 1)
    assert await harness.mark_shipped_calls(order["id"]) == 1
    tiktok = await harness.tiktok_order(order["id"])
    assert len(tiktok["packages"]) == 1 and tiktok["status"] == "AWAITING_COLLECTION"

    shipped = await harness.events(order["id"], count=1, kind="shipped")
    completed = await harness.events(order["id"], count=1, kind="completed")
    assert shipped[0]["data"]["status"] == "Shipped" and shipped[0]["data"]["details"]["source"] == "manual"
    assert completed[0]["data"]["status"] == "Completed"
    assert [t["tracking_number"] for t in completed[0]["data"]["tracking"]] == [f"MAN{unique}"]
    assert shipped[0]["time"] <= completed[0]["time"]

    # the same command again: the same shipment, nothing new sent
    again = await harness.http.post(f"{harness.url}/orders/{order['id']}/ship",
                                    json={"carrier": "UPS", "tracking_number": f"MAN{unique}"})
    assert again.status_code == 200 and again.json()["shipment_id"] == created["shipment_id"]
    assert await harness.mark_shipped_calls(order["id"]) == 1
    assert len(await harness.events(order["id"], count=2, kind="completed", timeout_s=3)) == 1


async def test_manual_partial_ship_is_not_completed_until_all_shipped(harness: Harness, unique: str) -> None:
    """R21 + R24: a manual ship of some lines is Partially Shipped; the rest by hand completes it."""
    shop_id = await harness.new_shop()
    order = await harness.place_order(shop_id, {f"A-{unique}": 2, f"B-{unique}": 1})
    await harness.download(shop_id, order)
    url = f"{harness.url}/orders/{order['id']}/ship"

    r1 = await harness.http.post(url, json={"carrier": "USPS", "tracking_number": f"P1{unique}",
                                            "lines": [{"seller_sku": f"A-{unique}", "quantity": 1}]})
    assert r1.status_code == 201, r1.text
    assert (await harness.shipment(r1.json()["shipment_id"], until=settled))["upload_status"] == "uploaded"
    first = await harness.events(order["id"], count=1, kind="shipped")
    assert first[0]["data"]["status"] == "Partially Shipped"

    r2 = await harness.http.post(url, json={"carrier": "USPS", "tracking_number": f"P2{unique}"})
    assert r2.status_code == 201, r2.text
    assert len(r2.json()["line_item_ids"]) == 2
    assert (await harness.shipment(r2.json()["shipment_id"], until=settled))["upload_status"] == "uploaded"
    completed = await harness.events(order["id"], count=1, kind="completed")
    assert {t["tracking_number"] for t in completed[0]["data"]["tracking"]} == {f"P1{unique}", f"P2{unique}"}


async def test_manual_ship_refusals_are_clear_and_record_nothing(harness: Harness, unique: str) -> None:
    """R21: unknown order 404; unknown SKU, tracking upload off and FBT orders 409 with the reason."""
    shop_id = await harness.new_shop()
    order = await harness.place_order(shop_id, {f"S-{unique}": 1})
    await harness.download(shop_id, order)

    r = await harness.http.post(f"{harness.url}/orders/nope-{unique}/ship", json={"carrier": "UPS",
                                                                                  "tracking_number": "X"})
    assert r.status_code == 404 and "has not been downloaded" in r.json()["error"]["message"]
    r = await harness.http.post(f"{harness.url}/orders/{order['id']}/ship", json={
        "carrier": "UPS", "tracking_number": f"Q{unique}", "lines": [{"seller_sku": "NOPE", "quantity": 1}]})
    assert r.status_code == 409 and "SKU 'NOPE' is not in order" in r.json()["error"]["message"]
    r = await harness.http.post(f"{harness.url}/orders/{order['id']}/ship", json={
        "carrier": "UPS", "tracking_number": "T", "lines": [{"seller_sku": "X", "quantity": 1}],
        "line_item_ids": ["1"]})
    assert r.status_code == 422

    fbt = await harness.place_order(shop_id, {f"F-{unique}": 1}, fulfillment_type="FULFILLMENT_BY_TIKTOK")
    await harness.download(shop_id, fbt)
    r = await harness.http.post(f"{harness.url}/orders/{fbt['id']}/ship", json={"carrier": "UPS",
                                                                                "tracking_number": f"F{unique}"})
    assert r.status_code == 409 and "fulfilled by TikTok" in r.json()["error"]["message"]

    await harness.set_tracking_upload(shop_id, False)
    r = await harness.http.post(f"{harness.url}/orders/{order['id']}/ship", json={"carrier": "UPS",
                                                                                  "tracking_number": f"O{unique}"})
    assert r.status_code == 409 and r.json()["error"]["message"].startswith(f"tracking upload off for shop {shop_id}")
    listed = (await harness.http.get(f"{harness.url}/shipments", params={"order_id": order["id"]})).json()
    assert listed["shipments"] == []
    assert await harness.mark_shipped_calls(order["id"]) == 0
