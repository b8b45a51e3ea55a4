"""SQL for the TikTok webhook notifications stored on receipt and claimed by the webhook worker. Functions take
the connection; the use case owns the transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg


async def store_notification(
    conn: asyncpg.Connection, *, notification_id: str, type_: int, shop_id: str, order_id: str | None,
    payload: dict[str, Any],
) -> bool:
    """Store a notification; False when TikTok re-delivered one we already have."""
    inserted = await conn.fetchval(
        "INSERT INTO webhook_inbox (tts_notification_id, type, shop_id, order_id, payload)"
        " VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING true",
        notification_id, type_, shop_id, order_id, payload,
    )
    return bool(inserted)


async def claim_notifications(conn: asyncpg.Connection, *, types: list[int], limit: int) -> list[asyncpg.Record]:
    """Lock due, unprocessed notifications of these types for the caller's transaction."""
    return list(
        await conn.fetch(
            "SELECT tts_notification_id, type, shop_id, order_id, attempts FROM webhook_inbox"
            " WHERE type = ANY($1::int[]) AND processed_at IS NULL AND next_attempt_at <= now()"
            " ORDER BY received_at LIMIT $2 FOR UPDATE SKIP LOCKED",
            types, limit,
        )
    )


async def reserve_notifications(conn: asyncpg.Connection, notification_ids: list[str], *, lease_s: float) -> datetime:
    """Claimed notifications are the claimer's for ``lease_s`` (its TikTok calls run outside a transaction);
    returns when they were claimed (clock time), which :func:`hold_for_authorization` compares with a release."""
    claimed_at: datetime = await conn.fetchval("SELECT clock_timestamp()")
    await conn.execute(
        "UPDATE webhook_inbox SET next_attempt_at = now() + make_interval(secs => $2), held_for_authorization = false"
        " WHERE tts_notification_id = ANY($1::text[])",
        notification_ids, lease_s,
    )
    return claimed_at


async def mark_processed(conn: asyncpg.Connection, notification_ids: list[str], outcome: str) -> None:
    await conn.execute(
        "UPDATE webhook_inbox SET processed_at = now(), outcome = $2 WHERE tts_notification_id = ANY($1::text[])",
        notification_ids, outcome,
    )


async def hold_for_authorization(
    conn: asyncpg.Connection, notification_ids: list[str], *, error: str, recheck_s: float, claimed_at: datetime,
) -> None:
    """The shop is not authorised: keep the notifications without counting an attempt; released when
    the shop is active again (:func:`release_held`), or looked at after ``recheck_s``. One the shop's release
    overtook while it was in flight (released after ``claimed_at``) is due at once instead."""
    await conn.execute(
        "UPDATE webhook_inbox SET last_error = $2,"
        " held_for_authorization = released_at IS NULL OR released_at < $4,"
        " next_attempt_at = CASE WHEN released_at IS NULL OR released_at < $4"
        "   THEN now() + make_interval(secs => $3) ELSE now() END"
        " WHERE tts_notification_id = ANY($1::text[])",
        notification_ids, error, recheck_s, claimed_at,
    )


async def release_held(conn: asyncpg.Connection, shop_id: str) -> int:
    """The shop is authorised again: its held notifications are due now. Those in flight (claimed, not held
    yet) are stamped first, so an attempt refused for the old authorisation is not held after this release."""
    await conn.execute(
        "UPDATE webhook_inbox SET released_at = clock_timestamp() WHERE shop_id = $1 AND processed_at IS NULL"
        " AND NOT held_for_authorization AND next_attempt_at > now()",
        shop_id,
    )
    result: str = await conn.execute(
        "UPDATE webhook_inbox SET held_for_authorization = false, next_attempt_at = now()"
        " WHERE shop_id = $1 AND held_for_authorization AND processed_at IS NULL",
        shop_id,
    )
    return int(result.split()[-1])


async def mark_failed(
    conn: asyncpg.Connection, notification_ids: list[str], *, error: str, retry_in_s: float, max_attempts: int
) -> None:
    """Count a failed attempt; after ``max_attempts`` give up (the reconciliation poll catches up)."""
    await conn.execute(
        "UPDATE webhook_inbox SET attempts = attempts + 1, last_error = $2,"
        " next_attempt_at = now() + make_interval(secs => $3),"
        " processed_at = CASE WHEN attempts + 1 >= $4 THEN now() END,"
        " outcome = CASE WHEN attempts + 1 >= $4 THEN 'gave up: ' || $2 END"
        " WHERE tts_notification_id = ANY($1::text[])",
        notification_ids, error, retry_in_s, max_attempts,
    )
