"""SQL for bulk post jobs (R44): the job, its items, leases, and the products a job would post."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import asyncpg

from libs.common import jobs

_JOB = "id, shop_id, kind, status, total, error, created_at, updated_at, finished_at"


async def create(conn: asyncpg.Connection, shop_id: str, skus: Sequence[str]) -> asyncpg.Record:
    job_id = uuid.uuid4()
    row: asyncpg.Record = await conn.fetchrow(
        f"INSERT INTO post_jobs (id, shop_id, total) VALUES ($1, $2, $3) RETURNING {_JOB}", job_id, shop_id, len(skus))
    await conn.copy_records_to_table("post_job_items", records=[(job_id, s) for s in skus],
                                     columns=["job_id", "seller_sku"])
    return row


async def add_auto(conn: asyncpg.Connection, shop_id: str, seller_sku: str) -> uuid.UUID | None:
    """Add the product to the shop's open auto-post job (made when there is none); None when it is in it
    already. The job row is locked, so the worker cannot finish the job while the product joins it."""
    await conn.execute(
        "INSERT INTO post_jobs (id, shop_id, kind) VALUES ($1, $2, 'auto') ON CONFLICT (shop_id)"
        " WHERE kind = 'auto' AND status IN ('queued', 'running', 'paused') DO NOTHING", uuid.uuid4(), shop_id)
    job_id: uuid.UUID | None = await conn.fetchval(
        "SELECT id FROM post_jobs WHERE shop_id = $1 AND kind = 'auto' AND status IN ('queued', 'running', 'paused')"
        " FOR UPDATE", shop_id)
    if job_id is None:  # finished between the two statements: open a new one
        return await add_auto(conn, shop_id, seller_sku)
    added = await conn.fetchval("INSERT INTO post_job_items (job_id, seller_sku) VALUES ($1, $2)"
                                " ON CONFLICT DO NOTHING RETURNING true", job_id, seller_sku)
    if not added:
        return None
    await conn.execute("UPDATE post_jobs SET total = total + 1, updated_at = now() WHERE id = $1", job_id)
    return job_id


async def ready_unposted(conn: asyncpg.Connection, shop_id: str) -> list[str]:
    """Products (not variations) ready for the shop at their last check and not yet on TikTok there."""
    rows = await conn.fetch(
        """
        SELECT r.seller_sku FROM readiness r JOIN products p ON p.seller_sku = r.seller_sku
        WHERE r.shop_id = $1 AND r.ready AND p.parent_sku IS NULL AND NOT EXISTS (
            SELECT 1 FROM postings x WHERE x.shop_id = r.shop_id AND x.seller_sku = r.seller_sku
              AND x.product_id IS NOT NULL)
        ORDER BY r.seller_sku
        """, shop_id)
    return [r["seller_sku"] for r in rows]


async def get(conn: asyncpg.Connection, job_id: uuid.UUID) -> asyncpg.Record | None:
    row: asyncpg.Record | None = await conn.fetchrow(f"SELECT {_JOB} FROM post_jobs WHERE id = $1", job_id)
    return row


async def recent(conn: asyncpg.Connection, *, shop_id: str | None, limit: int) -> list[asyncpg.Record]:
    """The newest jobs (of one shop, or of every shop), newest first."""
    return list(await conn.fetch(
        f"SELECT {_JOB} FROM post_jobs WHERE $1::text IS NULL OR shop_id = $1 ORDER BY created_at DESC, id DESC"
        " LIMIT $2", shop_id, limit))


async def counts(conn: asyncpg.Connection, job_id: uuid.UUID) -> dict[str, int]:
    """Items per outcome; posted ones split by TikTok's review state (in review / live / rejected)."""
    return (await counts_of(conn, [job_id]))[job_id]


async def counts_of(conn: asyncpg.Connection, job_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, dict[str, int]]:
    """:func:`counts` of each of these jobs, in one statement."""
    rows = await conn.fetch(
        """
        SELECT i.job_id, i.status, coalesce(x.tiktok_status, '') AS tiktok_status, count(*) AS n
        FROM post_job_items i JOIN post_jobs j ON j.id = i.job_id
        LEFT JOIN postings x ON x.shop_id = j.shop_id AND x.seller_sku = i.seller_sku
        WHERE i.job_id = ANY($1::uuid[]) GROUP BY 1, 2, 3
        """, list(job_ids))
    found = {job_id: {"posted": 0, "failed": 0, "waiting": 0, "in_review": 0, "live": 0, "rejected": 0}
             for job_id in job_ids}
    for r in rows:
        out = found[r["job_id"]]
        if r["status"] == "pending":
            out["waiting"] += r["n"]
        elif r["status"] == "failed":
            out["failed"] += r["n"]
        else:
            out["posted"] += r["n"]
            key = {"ACTIVATE": "live", "FAILED": "rejected"}.get(r["tiktok_status"], "in_review")
            out[key] += r["n"]
    return found


async def errors(conn: asyncpg.Connection, job_id: uuid.UUID, limit: int = 20) -> list[asyncpg.Record]:
    return list(await conn.fetch(
        "SELECT seller_sku, error FROM post_job_items WHERE job_id = $1 AND status = 'failed' ORDER BY seller_sku"
        " LIMIT $2", job_id, limit))


async def errors_of(conn: asyncpg.Connection, job_ids: Sequence[uuid.UUID],
                    limit: int = 20) -> dict[uuid.UUID, list[asyncpg.Record]]:
    """:func:`errors` of each of these jobs (the first ``limit`` of each), in one statement."""
    return await jobs.failed_items_of(conn, "post_job_items", item="seller_sku", job_ids=job_ids, limit=limit)


async def claim(conn: asyncpg.Connection, *, owner: uuid.UUID, lease_s: float) -> asyncpg.Record | None:
    """The oldest job that is queued, paused past its wait, or running with an expired lease (crashed)."""
    return await jobs.claim_job(
        conn, "post_jobs", columns=_JOB, owner=owner, lease_s=lease_s, expired=("running", "paused"),
        also_set="error = CASE WHEN status = 'paused' THEN 'resumed after: ' || error ELSE error END",
    )


async def pending(conn: asyncpg.Connection, job_id: uuid.UUID, limit: int) -> list[str]:
    rows = await conn.fetch("SELECT seller_sku FROM post_job_items WHERE job_id = $1 AND status = 'pending'"
                            " ORDER BY seller_sku LIMIT $2", job_id, limit)
    return [r["seller_sku"] for r in rows]


async def finish_item(conn: asyncpg.Connection, job_id: uuid.UUID, owner: uuid.UUID, seller_sku: str, *,
                      error: str | None, lease_s: float) -> bool:
    """Record one product's outcome and extend the lease; False when another worker took the job over."""
    await conn.execute("UPDATE post_job_items SET status = $3, error = $4 WHERE job_id = $1 AND seller_sku = $2"
                       " AND status = 'pending'", job_id, seller_sku, "failed" if error else "posted", error)
    result: str = await conn.execute(
        "UPDATE post_jobs SET lease_until = now() + make_interval(secs => $3), updated_at = now()"
        " WHERE id = $1 AND lease_owner = $2", job_id, owner, lease_s)
    return result.endswith("1")


async def pause(conn: asyncpg.Connection, job_id: uuid.UUID, owner: uuid.UUID, *, until_s: float, why: str) -> None:
    await conn.execute(
        "UPDATE post_jobs SET status = 'paused', error = $4, lease_until = now() + make_interval(secs => $3),"
        " updated_at = now() WHERE id = $1 AND lease_owner = $2", job_id, owner, until_s, why)


async def finish(conn: asyncpg.Connection, job_id: uuid.UUID, owner: uuid.UUID) -> bool:
    """Done, unless a product joined meanwhile (an auto-post job): False, and the worker goes on."""
    async with conn.transaction():
        if await conn.fetchval("SELECT lease_owner = $2 FROM post_jobs WHERE id = $1 FOR UPDATE", job_id, owner):
            if await conn.fetchval("SELECT EXISTS (SELECT 1 FROM post_job_items WHERE job_id = $1"
                                   " AND status = 'pending')", job_id):
                return False
            await conn.execute(
                "UPDATE post_jobs SET status = 'done', finished_at = now(), updated_at = now(), lease_owner = NULL,"
                " lease_until = NULL WHERE id = $1", job_id)
    return True


async def open_counts(conn: asyncpg.Connection) -> dict[str, int]:
    """Bulk post jobs not finished, by status (the metrics' ``ttshop_jobs``)."""
    return await jobs.open_counts(conn, "post_jobs", ('queued', 'running', 'paused'))
