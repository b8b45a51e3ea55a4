"""Issue 8 and the race seen in the chaos run: a stock level refused because the shop is not authorised is held
(uncounted) until the shop's re-authorisation releases it; a re-authorisation that came while the call was in
flight (nothing held yet to release) must not leave it held for the recheck interval: it is due at once.

The statements run in the order of the race, in one transaction that is rolled back, so the running uploader
never sees these rows."""

from __future__ import annotations

from datetime import UTC, datetime

import asyncpg
import pytest

from services.catalog.sync import repo
from services.catalog.sync.domain import Kind
from tests.integration.catalog.conftest import Harness
from tests.support.db import rolled_back

pytestmark = pytest.mark.integration

RECHECK_S = 60.0
T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


async def _claimed(conn: asyncpg.Connection, shop_id: str) -> repo.Upload:
    """A queued level of its own shop, claimed by "the uploader" (its call is in flight now)."""
    level = repo.QueuedUpload(shop_id, f"P-{shop_id}", f"K-{shop_id}", Kind.INVENTORY, "", f"SKU-{shop_id}", 5,
                              None, None, T0, f"e-{shop_id}", None)
    assert await repo.queue_many(conn, [level], coalesce_s=0) == 1
    [claimed] = [u for u in await repo.claim_due(conn, limit=1000, lease_s=120) if u.shop_id == shop_id]
    return claimed


async def _state(conn: asyncpg.Connection, upload: repo.Upload) -> tuple[str, str | None, bool, int]:
    """(status, error code, due now, attempts)."""
    row = await conn.fetchrow("SELECT status, error_code, next_attempt_at <= now() AS due, attempts FROM uploads"
                              " WHERE shop_id = $1", upload.shop_id)
    return tuple(row)  # type: ignore[return-value]


async def test_refused_for_authorisation_is_held_until_the_release_and_not_held_if_the_release_came_first(
        harness: Harness, unique: str) -> None:
    async with rolled_back(harness.dsn, schema="catalog") as conn:
        # no re-authorisation yet: held, uncounted, looked at again after the recheck interval
        waiting = await _claimed(conn, f"A{unique}")
        assert await repo.hold(conn, waiting, recheck_s=RECHECK_S, error="held", called=True)
        assert await _state(conn, waiting) == ("pending", repo.NOT_AUTHORIZED, False, 0)
        assert await repo.requeue_skipped(conn, waiting.shop_id, [Kind.INVENTORY.value]) == 1  # re-authorised
        assert await _state(conn, waiting) == ("pending", None, True, 0)

        # the race: the shop is re-authorised (its held rows released) while the refused call is in flight
        in_flight = await _claimed(conn, f"B{unique}")
        assert await repo.requeue_skipped(conn, in_flight.shop_id, [Kind.INVENTORY.value]) == 0  # nothing held
        assert not await repo.hold(conn, in_flight, recheck_s=RECHECK_S, error="held", called=True)
        assert await _state(conn, in_flight) == ("pending", None, True, 0)  # due at once, not in 60 s
