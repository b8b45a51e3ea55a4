"""SQL for the work that feeds the download: poll watermarks, manual download jobs (leased by a
worker), and stored TikTok webhook notifications."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import asyncpg

# --- poll watermarks ----------------------------------------------------------------------------


async def watermark(conn: asyncpg.Connection, shop_id: str, initial: int) -> int:
    """The shop's poll watermark, created at ``initial`` for a shop polled the first time."""
    await conn.execute(
        "INSERT INTO poll_watermarks (shop_id, update_time_ge) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        shop_id, initial,
    )
    value: int = await conn.fetchval("SELECT update_time_ge FROM poll_watermarks WHERE shop_id = $1", shop_id)
    return value


async def save_watermark(conn: asyncpg.Connection, shop_id: str, update_time_ge: int, error: str | None) -> None:
    await conn.execute(
        "UPDATE poll_watermarks SET update_time_ge = greatest(update_time_ge, $2), last_poll_at = now(),"
        " last_error = $3, updated_at = now() WHERE shop_id = $1",
        shop_id, update_time_ge, error,
    )


# --- download jobs ------------------------------------------------------------------------------

_JOB_COLUMNS = (
    "id, shop_id, from_ts, to_ts, status, pages_done, orders_seen, orders_new, next_page_token, error,"
    " created_at, updated_at, finished_at"
)


async def create_job(conn: asyncpg.Connection, *, shop_id: str, from_ts: datetime, to_ts: datetime) -> asyncpg.Record:
    row: asyncpg.Record = await conn.fetchrow(
        f"INSERT INTO download_jobs (id, shop_id, from_ts, to_ts) VALUES ($1, $2, $3, $4) RETURNING {_JOB_COLUMNS}",
        uuid.uuid4(), shop_id, from_ts, to_ts,
    )
    return row


async def get_job(conn: asyncpg.Connection, job_id: uuid.UUID) -> asyncpg.Record | None:
    row: asyncpg.Record | None = await conn.fetchrow(
        f"SELECT {_JOB_COLUMNS} FROM download_jobs WHERE id = $1", job_id
    )
    return row


async def list_jobs(conn: asyncpg.Connection, *, shop_id: str | None, limit: int) -> list[asyncpg.Record]:
    args: list[object]
    if shop_id is None:
        sql, args = f"SELECT {_JOB_COLUMNS} FROM download_jobs ORDER BY created_at DESC LIMIT $1", [limit]
    else:
        sql = f"SELECT {_JOB_COLUMNS} FROM download_jobs WHERE shop_id = $1 ORDER BY created_at DESC LIMIT $2"
        args = [shop_id, limit]
    return list(await conn.fetch(sql, *args))


async def claim_job(conn: asyncpg.Connection, *, owner: uuid.UUID, lease_s: int) -> asyncpg.Record | None:
    """Lease the oldest queued job, or a running one whose worker's lease ran out (it crashed)."""
    row: asyncpg.Record | None = await conn.fetchrow(
        "UPDATE download_jobs SET status = 'running', lease_owner = $1,"
        " lease_until = now() + make_interval(secs => $2), updated_at = now()"
        " WHERE id = (SELECT id FROM download_jobs WHERE status = 'queued'"
        "   OR (status = 'running' AND lease_until < now())"
        "   ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED)"
        f" RETURNING {_JOB_COLUMNS}",
        owner, lease_s,
    )
    return row


async def lock_owned_job(conn: asyncpg.Connection, job_id: uuid.UUID, owner: uuid.UUID) -> bool:
    """Lock the job row if this worker still holds the lease (not taken over meanwhile)."""
    found = await conn.fetchval(
        "SELECT true FROM download_jobs WHERE id = $1 AND lease_owner = $2 AND status = 'running' FOR UPDATE",
        job_id, owner,
    )
    return bool(found)


async def save_job_page(
    conn: asyncpg.Connection, job_id: uuid.UUID, *, seen: int, new: int, next_page_token: str, lease_s: int
) -> None:
    """Record one ingested page; an empty ``next_page_token`` finishes the job."""
    await conn.execute(
        "UPDATE download_jobs SET pages_done = pages_done + 1, orders_seen = orders_seen + $2,"
        " orders_new = orders_new + $3, next_page_token = nullif($4, ''), error = NULL,"
        " status = CASE WHEN $4 = '' THEN 'done' ELSE status END,"
        " finished_at = CASE WHEN $4 = '' THEN now() END,"
        " lease_until = now() + make_interval(secs => $5), updated_at = now() WHERE id = $1",
        job_id, seen, new, next_page_token, lease_s,
    )


async def fail_job(conn: asyncpg.Connection, job_id: uuid.UUID, owner: uuid.UUID, error: str) -> None:
    await conn.execute(
        "UPDATE download_jobs SET status = 'failed', error = $3, finished_at = now(), updated_at = now(),"
        " lease_owner = NULL, lease_until = NULL WHERE id = $1 AND lease_owner = $2",
        job_id, owner, error,
    )


async def release_job(
    conn: asyncpg.Connection, job_id: uuid.UUID, owner: uuid.UUID, retry_in_s: float, error: str | None = None
) -> None:
    """Give the lease back after transient trouble; any worker resumes the job after ``retry_in_s``.
    ``error`` says why it waits (shown by ``ttshop jobs show``; cleared by the next page)."""
    await conn.execute(
        "UPDATE download_jobs SET lease_until = now() + make_interval(secs => $3), updated_at = now(),"
        " error = $4 WHERE id = $1 AND lease_owner = $2 AND status = 'running'",
        job_id, owner, retry_in_s, error,
    )


# --- webhook notifications ------------------------------------------------------------------------


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


async def reserve_notifications(conn: asyncpg.Connection, notification_ids: list[str], *, lease_s: float) -> None:
    """Claimed notifications are the claimer's for ``lease_s`` (its TikTok calls run outside a transaction)."""
    await conn.execute(
        "UPDATE webhook_inbox SET next_attempt_at = now() + make_interval(secs => $2), held_for_authorization = false"
        " WHERE tts_notification_id = ANY($1::text[])",
        notification_ids, lease_s,
    )


async def mark_processed(conn: asyncpg.Connection, notification_ids: list[str], outcome: str) -> None:
    await conn.execute(
        "UPDATE webhook_inbox SET processed_at = now(), outcome = $2 WHERE tts_notification_id = ANY($1::text[])",
        notification_ids, outcome,
    )


async def hold_for_authorization(
    conn: asyncpg.Connection, notification_ids: list[str], *, error: str, recheck_s: float
) -> None:
    """The shop is not authorised: keep the notifications without counting an attempt; released when
    the shop is active again (:func:`release_held`), or looked at after ``recheck_s``."""
    await conn.execute(
        "UPDATE webhook_inbox SET held_for_authorization = true, last_error = $2,"
        " next_attempt_at = now() + make_interval(secs => $3) WHERE tts_notification_id = ANY($1::text[])",
        notification_ids, error, recheck_s,
    )


async def release_held(conn: asyncpg.Connection, shop_id: str) -> int:
    """The shop is authorised again: its held notifications are due now (a claimed one is never held)."""
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
