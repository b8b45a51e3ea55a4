"""Manual range downloads (R11): ``ttshop orders download SHOP --from D --to D``.

A job is a row; a worker leases it, fetches one page of orders created in the range, and commits
that page's ingest together with the job's counters and the next page token. A crash therefore
resumes at the next page, and re-ingesting a page (crash before the commit) publishes nothing
twice. Running the same range again is harmless for the same reason.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import structlog

from libs.common.refusals import Invalid, NotFound
from libs.common.tiktok.errors import TikTokError
from libs.common.tiktok.tokens import AUTHORIZATION_PROBLEMS, TokenServiceRejected
from services.orders import repo, repo_queues
from services.orders.domain import require_downloads
from services.orders.service import AfterCommit, ingest_page, noop
from services.orders.tiktok import OrdersApi

log = structlog.get_logger(__name__)
DEFAULT_RANGE = timedelta(hours=24)
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


def resolve_range(from_: datetime | None, to: datetime | None, *, now: datetime) -> tuple[datetime, datetime]:
    """Default: the last 24 hours (up to now, inclusive). Naive datetimes are taken as UTC. Refuses an empty range."""
    end = _aware(to) if to is not None else now + timedelta(seconds=1)  # include orders of this second
    start = _aware(from_) if from_ is not None else end - DEFAULT_RANGE
    if start >= end:
        raise Invalid("invalid_range", f"'from' ({start.isoformat()}) must be before 'to' ({end.isoformat()})")
    return start, end


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


async def create_job(
    pool: asyncpg.Pool, *, shop_id: str, from_: datetime | None, to: datetime | None, wake: AfterCommit = noop
) -> dict[str, Any]:
    start, end = resolve_range(from_, to, now=datetime.now(UTC))
    async with pool.acquire() as conn, conn.transaction():
        require_downloads(await repo.get_shop(conn, shop_id), shop_id)
        row = await repo_queues.create_job(conn, shop_id=shop_id, from_ts=start, to_ts=end)
    wake()
    log.info("download job queued", shop_id=shop_id, job_id=str(row["id"]), start=start.isoformat(), end=end.isoformat())
    return job_view(row)


async def get_job(pool: asyncpg.Pool, job_id: uuid.UUID) -> dict[str, Any]:
    async with pool.acquire() as conn:
        row = await repo_queues.get_job(conn, job_id)
    if row is None:
        raise NotFound("job_not_found", f"no download job {job_id}")
    return job_view(row)


async def run_next_job(
    pool: asyncpg.Pool, api: OrdersApi, *, owner: uuid.UUID, lease_s: int, source: str,
    after_commit: AfterCommit = noop,
) -> bool:
    """Lease one job and run it to the end (or failure); False when there was nothing to do."""
    async with pool.acquire() as conn:
        job = await repo_queues.claim_job(conn, owner=owner, lease_s=lease_s)
        shop = await repo.get_shop(conn, job["shop_id"]) if job else None
    if job is None:
        return False
    job_id, shop_id = job["id"], job["shop_id"]
    bound = log.bind(job_id=str(job_id), shop_id=shop_id)
    if shop is None or not shop.downloads_orders:
        await _fail(pool, job_id, owner, f"order download is off or the shop is not active for shop {shop_id}")
        return True
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
                if not await repo_queues.lock_owned_job(conn, job_id, owner):
                    bound.warning("download job lease lost; another worker took it over")
                    return True
                result = await ingest_page(conn, orders, shop, source=source)
                await repo_queues.save_job_page(
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
            await repo_queues.release_job(conn, job_id, owner, RETRY_AUTHORIZATION_S, why[:2000])
    except TokenServiceRejected as exc:
        await _fail(pool, job_id, owner, str(exc))
    except TikTokError as exc:
        if exc.transient:  # the client already retried; leave it for a later attempt
            bound.warning("download job paused on a transient TikTok error", error=str(exc))
            async with pool.acquire() as conn:
                await repo_queues.release_job(conn, job_id, owner, RETRY_PAUSED_JOB_S)
        else:
            await _fail(pool, job_id, owner, str(exc))
    finally:  # a prefetch not needed any more (lease lost, failure): stop it, and collect its error
        fetch.cancel()
        await asyncio.gather(fetch, return_exceptions=True)
    return True


async def _fail(pool: asyncpg.Pool, job_id: uuid.UUID, owner: uuid.UUID, error: str) -> None:
    log.error("download job failed", job_id=str(job_id), error=error)
    async with pool.acquire() as conn:
        await repo_queues.fail_job(conn, job_id, owner, error[:2000])
