"""Issue 8 and the race seen in the chaos run: a shipment refused because the shop is not authorised is held
(uncounted) until the shop's re-authorisation releases it; a re-authorisation that came while the upload was in
flight (nothing held yet to release) must not leave it held for the recheck interval: it is due at once.

The statements run in the order of the race, in one transaction that is rolled back, so the running uploader
never sees these shipments."""

from __future__ import annotations

from datetime import UTC, datetime

import asyncpg
import pytest

from services.fulfillment.uploads import repo as shipments
from services.fulfillment.uploads.domain import Shipment, UploadStatus
from tests.integration.fulfillment.conftest import Harness
from tests.support.db import rolled_back

pytestmark = pytest.mark.integration

RECHECK_S = 60.0


async def _claimed(conn: asyncpg.Connection, shop_id: str, unique: str) -> Shipment:
    """A pending shipment of its own shop, claimed by "the uploader" (its call is in flight now)."""
    await shipments.insert_shipment(conn, Shipment(
        shipment_id=f"held-{shop_id}", order_id=f"O-{shop_id}", shop_id=shop_id, carrier="UPS",
        tracking_number=f"T{unique}", upload_status=UploadStatus.PENDING, line_item_ids=("1",),
        shipped_at=datetime.now(UTC)), event_id=f"e-{shop_id}")
    [claimed] = [s for s in await shipments.claim_due(conn, limit=1000, lease_s=120) if s.shop_id == shop_id]
    return claimed


async def _state(conn: asyncpg.Connection, shipment: Shipment) -> tuple[bool, bool, int]:
    """(held for authorisation, due now, attempts)."""
    row = await conn.fetchrow("SELECT held_for_authorization, next_attempt_at <= now() AS due, attempts"
                              " FROM shipments WHERE shipment_id = $1", shipment.shipment_id)
    return tuple(row)  # type: ignore[return-value]


async def test_refused_for_authorisation_is_held_until_the_release_and_not_held_if_the_release_came_first(
        harness: Harness, unique: str) -> None:
    async with rolled_back(harness.dsn, schema="fulfillment") as conn:
        # no re-authorisation yet: held, uncounted, looked at again after the recheck interval
        waiting = await _claimed(conn, f"A{unique}", unique)
        assert await shipments.hold_for_authorization(conn, waiting, recheck_s=RECHECK_S, error="held")
        assert await _state(conn, waiting) == (True, False, 0)
        assert await shipments.release_held(conn, waiting.shop_id) == 1  # re-authorised: due now
        assert await _state(conn, waiting) == (False, True, 0)

        # the race: the shop is re-authorised (its held shipments released) while the refused call is in flight
        in_flight = await _claimed(conn, f"B{unique}", unique)
        assert await shipments.release_held(conn, in_flight.shop_id) == 0  # nothing held yet
        assert not await shipments.hold_for_authorization(conn, in_flight, recheck_s=RECHECK_S, error="held")
        assert await _state(conn, in_flight) == (False, True, 0)  # due at once, not in 60 s, still uncounted
