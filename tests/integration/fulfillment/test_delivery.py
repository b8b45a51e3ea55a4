"""R20 delivery guarantees: one upload however often a ShipmentCreated arrives, and an upload that
starts right after the ShipmentCreated commits (the consumer wakes the worker; its poll is 20 s here)."""

from __future__ import annotations

import asyncio
import time

import pytest

from tests.integration.fulfillment.conftest import UPLOAD_POLL_S, Harness
from tests.support.shipments import settled, shipped

pytestmark = pytest.mark.integration


async def test_same_shipment_three_times_uploads_once(harness: Harness, unique: str) -> None:
    """R20: the same event id three times (redelivery) and the same shipment id under three new
    event ids (a WMS re-send) -> one mark-shipped call, one OrderStatusChanged(shipped)."""
    shop_id = await harness.new_shop()
    order = await harness.place_order(shop_id, {f"R-{unique}": 1})
    await harness.download(shop_id, order)
    ship = shipped(shop_id, order["id"], f"W-{unique}", f"TRI{unique}")

    event_id = await harness.publish(ship)
    for _ in range(2):
        await harness.publish(ship, event_id=event_id)
    for _ in range(3):
        await harness.publish(ship)
    done = await harness.shipment(ship.shipment_id, until=settled)
    assert done["upload_status"] == "uploaded", done

    marker = shipped(shop_id, order["id"], f"W2-{unique}", f"MARK{unique}")  # consumed after all six
    await harness.publish(marker)
    assert (await harness.shipment(marker.shipment_id, until=settled))["upload_status"] == "failed"
    assert await harness.mark_shipped_calls(order["id"]) == 1
    assert len((await harness.tiktok_order(order["id"]))["packages"]) == 1
    assert len(await harness.events(order["id"], count=2, kind="shipped", timeout_s=3)) == 1
    inbox = await harness.wait_db("SELECT count(*) FROM fulfillment.inbox WHERE event_id = $1", event_id,
                                  until=lambda n: n >= 1)  # after the marker: all six consumed
    assert inbox == 1


async def test_upload_starts_right_after_the_shipment_commits(harness: Harness, unique: str) -> None:
    """R20 latency: ShipmentCreated -> tracking on the sandbox well under the worker's poll interval."""
    shop_id = await harness.new_shop()
    timings = []
    for n in range(5):
        order = await harness.place_order(shop_id, {f"L{n}-{unique}": 1})
        await harness.download(shop_id, order)
        await asyncio.sleep(0.3)  # let the worker fall asleep on its 20 s poll
        started = time.monotonic()
        await harness.publish(shipped(shop_id, order["id"], f"W{n}-{unique}", f"LAT{n}{unique}"))
        while not (await harness.tiktok_order(order["id"]))["packages"]:
            assert time.monotonic() - started < UPLOAD_POLL_S / 4, "upload waited for the poll"
            await asyncio.sleep(0.01)
        timings.append(time.monotonic() - started)
    timings.sort()
    print(f"ShipmentCreated -> tracking on sandbox: min {timings[0]:.3f}s median {timings[2]:.3f}s "
          f"max {timings[-1]:.3f}s (worker poll {UPLOAD_POLL_S}s)")
    assert timings[2] < 2.0
