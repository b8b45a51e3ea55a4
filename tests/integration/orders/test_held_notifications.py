"""The race seen in the chaos run, for order notifications: a notification refused because the shop is not
authorised is held (uncounted) until the shop's re-authorisation releases it; a re-authorisation that came while
its fetch was in flight (nothing held yet to release) must not leave it held for the recheck interval.

The statements run in the order of the race, in one transaction that is rolled back, so no running worker sees
these rows."""

from __future__ import annotations

import asyncpg
import pytest

from services.orders.intake.webhooks import repo
from tests.support.db import rolled_back

pytestmark = pytest.mark.integration

RECHECK_S = 60.0


async def _claimed(conn: asyncpg.Connection, shop_id: str) -> tuple[str, object]:
    """A notification of its own shop, claimed and reserved by "the worker" (its fetch is in flight now)."""
    notification_id = f"n-{shop_id}"
    assert await repo.store_notification(conn, notification_id=notification_id, type_=1, shop_id=shop_id,
                                         order_id=f"O-{shop_id}", payload={})
    claimed = [r for r in await repo.claim_notifications(conn, types=[1], limit=1000) if r["shop_id"] == shop_id]
    assert [r["tts_notification_id"] for r in claimed] == [notification_id]
    return notification_id, await repo.reserve_notifications(conn, [notification_id], lease_s=60)


async def _state(conn: asyncpg.Connection, notification_id: str) -> tuple[bool, bool, int]:
    """(held for authorisation, due now, attempts)."""
    row = await conn.fetchrow("SELECT held_for_authorization, next_attempt_at <= now() AS due, attempts"
                              " FROM webhook_inbox WHERE tts_notification_id = $1", notification_id)
    return tuple(row)  # type: ignore[return-value]


async def test_refused_notification_is_held_until_the_release_and_not_held_when_the_release_came_in_flight(
        pg_dsn: str, pool: asyncpg.Pool, unique: str) -> None:  # pool: the orders schema is migrated
    async with rolled_back(pg_dsn, schema="orders") as conn:
        # no re-authorisation yet: held, uncounted, looked at again after the recheck interval
        waiting, claimed_at = await _claimed(conn, f"A{unique}")
        await repo.hold_for_authorization(conn, [waiting], error="held", recheck_s=RECHECK_S, claimed_at=claimed_at)
        assert await _state(conn, waiting) == (True, False, 0)
        assert await repo.release_held(conn, f"A{unique}") == 1  # re-authorised: due now
        assert await _state(conn, waiting) == (False, True, 0)

        # the race: the shop is re-authorised while the refused fetch is in flight
        in_flight, claimed_at = await _claimed(conn, f"B{unique}")
        assert await repo.release_held(conn, f"B{unique}") == 0  # nothing held yet
        await repo.hold_for_authorization(conn, [in_flight], error="held", recheck_s=RECHECK_S, claimed_at=claimed_at)
        assert await _state(conn, in_flight) == (False, True, 0)  # due at once, not in 60 s, still uncounted
