"""Tracking upload when TikTok is down, when it already holds the tracking, and for cancelled orders."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import SecretStr

from libs.common.events.orders import CancellationDetected
from libs.common.settings import SANDBOX_APP_KEY, SANDBOX_APP_SECRET
from libs.common.tiktok.client import TikTokClient
from libs.sandbox.logistics import SHIPPING_PROVIDERS
from services.fulfillment.tiktok import FulfillmentTikTok
from tests.integration.fulfillment.conftest import Harness
from tests.support.shipments import settled, shipped
from tests.support.stack import sandbox

pytestmark = pytest.mark.integration

UPS_ID = next(pid for pid, name in SHIPPING_PROVIDERS.items() if name == "UPS")


async def test_sandbox_down_for_a_while_uploads_exactly_once_when_back(harness: Harness, unique: str) -> None:
    """R20: TikTok answers 5xx for a whole minute, then is back -> uploaded once, event once, nothing lost
    (the harness caps the retry delay at 1 s, so the shipment keeps trying through the outage)."""
    shop_id = await harness.new_shop()
    order = await harness.place_order(shop_id, {f"SKU-{unique}": 1})
    await harness.download(shop_id, order)
    await sandbox(harness.http, "POST", f"{harness.sandbox_url}/sandbox/faults",
                  json={"kind": "error_5xx", "rate": 1.0, "duration_s": 60, "path": "/fulfillment/", "shop_id": shop_id})

    ship = shipped(shop_id, order["id"], f"W-{unique}", f"DOWN{unique}")
    await harness.publish(ship)
    retrying = await harness.shipment(ship.shipment_id, until=lambda s: s["attempts"] >= 1)
    assert retrying["upload_status"] == "pending"
    assert "TikTok unavailable" in retrying["error"] and "retrying" in retrying["error"]

    still_down = await harness.shipment(ship.shipment_id, until=lambda s: s["attempts"] >= 10, timeout_s=40)
    assert still_down["upload_status"] == "pending"  # many failures, never given up, never uploaded twice
    done = await harness.shipment(ship.shipment_id, until=settled, timeout_s=120)
    assert done["upload_status"] == "uploaded", done
    assert done["error"] is None
    tiktok = await harness.tiktok_order(order["id"])
    assert len(tiktok["packages"]) == 1
    assert tiktok["line_items"][0]["tracking_number"] == f"DOWN{unique}"
    assert await harness.mark_shipped_calls(order["id"]) == 1  # refused calls never reached the route
    assert len(await harness.events(order["id"], count=2, kind="shipped", timeout_s=3)) == 1


async def test_already_shipped_on_tiktok_counts_only_with_our_tracking(harness: Harness, unique: str) -> None:
    shop_id = await harness.new_shop()
    client = FulfillmentTikTok(TikTokClient(
        http=harness.http, base_url=harness.sandbox_url, app_key=SANDBOX_APP_KEY,
        app_secret=SecretStr(SANDBOX_APP_SECRET), tokens=harness.tokens, limiter=None,
    ))

    # our earlier attempt reached TikTok but its answer was lost: TikTok holds our tracking
    ours = await harness.place_order(shop_id, {f"A-{unique}": 2})
    await harness.download(shop_id, ours)
    ids = [i["id"] for i in ours["line_items"]]
    package_id = await client.mark_shipped(shop_id=shop_id, order_id=ours["id"], tracking_number=f"SAME{unique}",
                                           provider_id=UPS_ID, line_item_ids=ids)
    same = shipped(shop_id, ours["id"], f"W1-{unique}", f"SAME{unique}")
    await harness.publish(same)
    s1 = await harness.shipment(same.shipment_id, until=settled)
    assert s1["upload_status"] == "uploaded", s1
    assert s1["tiktok_package_id"] == package_id
    assert len((await harness.tiktok_order(ours["id"]))["packages"]) == 1

    # shipped on TikTok by someone else with another tracking number: a visible failure
    theirs = await harness.place_order(shop_id, {f"B-{unique}": 1})
    await harness.download(shop_id, theirs)
    await client.mark_shipped(shop_id=shop_id, order_id=theirs["id"], tracking_number=f"OTHER{unique}",
                              provider_id=UPS_ID, line_item_ids=[theirs["line_items"][0]["id"]])
    other = shipped(shop_id, theirs["id"], f"W2-{unique}", f"MINE{unique}")
    await harness.publish(other)
    s2 = await harness.shipment(other.shipment_id, until=settled)
    assert s2["upload_status"] == "failed"
    assert s2["error"].startswith("TikTok refused the tracking upload (21011040)"), s2["error"]

    # a cancelled order: refused with the reason, nothing sent to TikTok
    gone = await harness.place_order(shop_id, {f"C-{unique}": 1})
    await harness.download(shop_id, gone)
    await harness.publish(CancellationDetected(
        shop_id=shop_id, order_id=gone["id"], initiated_by="BUYER", reason="No longer needed", applied=True,
        detected_at=datetime.now(UTC),
    ))
    await harness.wait_db("SELECT cancelled FROM fulfillment.orders WHERE order_id = $1", gone["id"],
                          until=lambda v: v is True)
    late = shipped(shop_id, gone["id"], f"W3-{unique}", f"LATE{unique}")
    await harness.publish(late)
    s3 = await harness.shipment(late.shipment_id, until=settled)
    assert s3["upload_status"] == "failed"
    assert s3["error"] == f"order {gone['id']} is cancelled (No longer needed); tracking was not uploaded"
    assert (await harness.tiktok_order(gone["id"]))["packages"] == []
