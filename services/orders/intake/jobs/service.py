"""Manual range downloads (R11): ``ttshop orders download SHOP --from D --to D``.

A job is a row; a worker leases it, fetches one page of orders created in the range, and commits
that page's ingest together with the job's counters and the next page token. A crash therefore
resumes at the next page, and re-ingesting a page (crash before the commit) publishes nothing
twice. Running the same range again is harmless for the same reason.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from typing import Any

import asyncpg
import structlog

from libs.common.refusals import NotFound
from libs.common.tiktok.errors import TikTokError
from libs.common.tiktok.tokens import AUTHORIZATION_PROBLEMS, TokenServiceRejected
from services.orders.intake.jobs import repo
from services.orders.intake.jobs.domain import resolve_range
from services.orders.intake.service import AfterCommit, ingest_page, noop
from services.orders.shops import repo as shops_repo
from services.orders.shops.domain import download_refusal
from services.orders.shops.service import downloading_shop
from services.orders.tiktok import OrdersApi

log = structlog.get_logger(__name__)
RETRY_PAUSED_JOB_S = 30.0
#: A job paused because the shop is not authorised looks again this often.
RETRY_AUTHORIZATION_S = 60.0


def job_view(row: asyncpg.Record) -> dict[str, Any]:
    return {
        "id": str(row["id"]), "shop_id": row["shop_id"], "from": row["from_ts"], "to": row["to_ts"],
        "status": row["status"], "pages_done": row["pages_done"], "orders_seen": row["orders_seen"],
        "orders_new": row["orders_new"], "error": row["error"], "created_at": row["created_at"],
        "finished_at": row["finished_at"],
    }


async def create_job(
    pool: asyncpg.Pool, *, shop_id: str, from_: datetime | None, to: datetime | None, wake: AfterCommit = noop
) -> dict[str, Any]:
    start, end = resolve_range(from_, to, now=datetime.now(UTC))
    async with pool.acquire() as conn, conn.transaction():
        await downloading_shop(conn, shop_id)
        row = await repo.create_job(conn, shop_id=shop_id, from_ts=start, to_ts=end)
    wake()
    log.info("download job queued", shop_id=shop_id, job_id=str(row["id"]), start=start.isoformat(), end=end.isoformat())
    return job_view(row)


async def get_job(pool: asyncpg.Pool, job_id: uuid.UUID) -> dict[str, Any]:
    async with pool.acquire() as conn:
        row = await repo.get_job(conn, job_id)
    if row is None:
        raise NotFound("job_not_found", f"no download job {job_id}")
    return job_view(row)


async def list_jobs(pool: asyncpg.Pool, *, shop_id: str | None, limit: int) -> list[dict[str, Any]]:
    async with pool.acquire() as conn:
        return [job_view(r) for r in await repo.list_jobs(conn, shop_id=shop_id, limit=limit)]


async def run_next_job(
    pool: asyncpg.Pool, api: OrdersApi, *, owner: uuid.UUID, lease_s: int, source: str,
    after_commit: AfterCommit = noop,
) -> bool:
    """Lease one job and run it to the end (or failure); False when there was nothing to do."""
    async with pool.acquire() as conn:
        job = await repo.claim_job(conn, owner=owner, lease_s=lease_s)
        shop = await shops_repo.get_shop(conn, job["shop_id"]) if job else None
    if job is None:
        return False
    job_id, shop_id = job["id"], job["shop_id"]
    bound = log.bind(job_id=str(job_id), shop_id=shop_id)
    refused = download_refusal(shop, shop_id)
    if refused is not None:
        await _fail(pool, job_id, owner, refused.message)
        return True
    assert shop is not None
    ge, lt = int(job["from_ts"].timestamp()), int(job["to_ts"].timestamp())
    # The next page is fetched while this one is ingested (TikTok's latency and our database work
    # overlap); the page token is still stored only with the page's ingest, so resuming is unchanged.
    fetch = asyncio.ensure_future(api.created_page(shop_id, ge, lt, job["next_page_token"]))
    try:
        while True:
            orders, next_token = await fetch
            if next_token:
                fetch = asyncio.ensure_future(api.created_page(shop_id, ge, lt, next_token))
            async with pool.acquire() as conn, conn.transaction():
                if not await repo.lock_owned_job(conn, job_id, owner):
                    bound.warning("download job lease lost; another worker took it over")
                    return True
                result = await ingest_page(conn, orders, shop, source=source)
                await repo.save_job_page(
                    conn, job_id, seen=len(orders), new=result.new, next_page_token=next_token, lease_s=lease_s
                )
            after_commit()
            if not next_token:
                bound.info("download job done")
                return True
    except AUTHORIZATION_PROBLEMS as exc:  # resumed from its page once the shop is authorised again
        why = f"waiting for the shop to be authorised again: {exc}"
        bound.warning("download job paused", error=why)
        async with pool.acquire() as conn:
            await repo.release_job(conn, job_id, owner, RETRY_AUTHORIZATION_S, why[:2000])
    except TokenServiceRejected as exc:
        await _fail(pool, job_id, owner, str(exc))
    except TikTokError as exc:
        if exc.transient:  # the client already retried; leave it for a later attempt
            bound.warning("download job paused on a transient TikTok error", error=str(exc))
            async with pool.acquire() as conn:
                await repo.release_job(conn, job_id, owner, RETRY_PAUSED_JOB_S)
        else:
            await _fail(pool, job_id, owner, str(exc))
    finally:  # a prefetch not needed any more (lease lost, failure): stop it, and collect its error
        fetch.cancel()
        await asyncio.gather(fetch, return_exceptions=True)
    return True


async def _fail(pool: asyncpg.Pool, job_id: uuid.UUID, owner: uuid.UUID, error: str) -> None:
    log.error("download job failed", job_id=str(job_id), error=error)
    async with pool.acquire() as conn:
        await repo.fail_job(conn, job_id, owner, error[:2000])
