"""SQL for manual range downloads (R11): the jobs, each leased by one worker at a time. Functions take the
connection; the use case owns the transaction."""

from __future__ import annotations

import uuid
from datetime import datetime

import asyncpg

from libs.common import jobs

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
    return await jobs.claim_job(conn, "download_jobs", columns=_JOB_COLUMNS, owner=owner, lease_s=lease_s)


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


async def open_counts(conn: asyncpg.Connection) -> dict[str, int]:
    """Download jobs not finished, by status (the metrics' ``ttshop_jobs``)."""
    return await jobs.open_counts(conn, "download_jobs")
