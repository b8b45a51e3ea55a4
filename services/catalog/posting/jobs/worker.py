"""Bulk post (R44): one queued job posts many ready products to a shop, a few at once (the client's rate
limiter keeps each endpoint under TikTok's limit, so uploads of one product run beside creates of
another). It survives a crash (its lease runs out and another worker resumes; a product already on TikTok
is skipped, one in flight answers its first product by its idempotency key), and when TikTok's daily
listing limit is reached it pauses, says so in its status, and resumes by itself later."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import structlog

from libs.common.tiktok.errors import TikTokError
from libs.common.tiktok.tokens import ShopNotAuthorized
from libs.common.worker import DrainWorker
from services.catalog.posting.jobs import repo as jobs_repo
from services.catalog.posting.service import ListingLimitReached, Poster, PostRefused
from services.catalog.readiness.facts import ShopTaxonomy

log = structlog.get_logger(__name__)

#: One snapshot of the shop's taxonomy (categories, attributes, brands, identifiers in use) serves the
#: readiness checks of a job's posts for this long, instead of being read for every product.
TAXONOMY_TTL_S = 30.0
#: A paused job looks again this often when TikTok gave no time (transient trouble, not authorised).
RETRY_S = 60.0


def seconds_to_next_utc_day(now: datetime | None = None) -> float:
    """TikTok's daily limit counts per day; the job looks again shortly after the next UTC midnight."""
    now = now or datetime.now(UTC)
    tomorrow = (now + timedelta(days=1)).replace(hour=0, minute=5, second=0, microsecond=0)
    return max(60.0, (tomorrow - now).total_seconds())


class PostJobs(DrainWorker):
    def __init__(self, *, pool: asyncpg.Pool, poster: Poster, poll_s: float = 2.0, lease_s: float = 120.0,
                 concurrency: int = 4, limit_wait_s: float | None = None) -> None:
        super().__init__(poll_s=poll_s)
        self.pool, self.poster, self.owner = pool, poster, uuid.uuid4()
        self.lease_s, self.concurrency, self.limit_wait_s = lease_s, concurrency, limit_wait_s

    async def run_once(self) -> int:
        async with self.pool.acquire() as conn:
            job = await jobs_repo.claim(conn, owner=self.owner, lease_s=self.lease_s)
        if job is None:
            return 0
        job_id, shop_id = job["id"], job["shop_id"]
        bound = log.bind(job_id=str(job_id), shop_id=shop_id)
        gate = asyncio.Semaphore(self.concurrency)
        snapshot: list[Any] = []  # [loaded_at, taxonomy]: the shop's taxonomy, read again every TAXONOMY_TTL_S

        async def one(sku: str) -> bool:
            async with gate:
                if not snapshot or time.monotonic() - snapshot[0] > TAXONOMY_TTL_S:
                    snapshot[:] = [time.monotonic(), await self.poster.taxonomy(shop_id)]
                return await self._post(job_id, shop_id, sku, snapshot[1])

        try:
            while True:
                async with self.pool.acquire() as conn:
                    batch = await jobs_repo.pending(conn, job_id, self.concurrency * 2)
                    if not batch and await jobs_repo.finish(conn, job_id, self.owner):
                        break
                if not batch:
                    continue  # a product joined the (auto-post) job just now
                results = await asyncio.gather(*(one(s) for s in batch), return_exceptions=True)
                trouble = [r for r in results if isinstance(r, BaseException)]
                if trouble:  # every product of the batch has finished or stopped: now pause (or fail loudly)
                    raise next((t for t in trouble if isinstance(t, ListingLimitReached)), trouble[0])
                if not all(results):
                    bound.warning("post job lease lost; another worker took it over")
                    return 1
        except ListingLimitReached as exc:
            wait = self.limit_wait_s if self.limit_wait_s is not None else seconds_to_next_utc_day()
            await self._pause(job_id, wait, f"paused: {exc}; resumes by itself in {wait / 3600:.1f} h")
            return 1
        except (TikTokError, ShopNotAuthorized) as exc:  # transient (already retried) or not authorised
            await self._pause(job_id, RETRY_S, f"paused: {exc}; retrying in {RETRY_S:.0f} s")
            return 1
        bound.info("post job done")
        return 1

    async def _pause(self, job_id: uuid.UUID, wait_s: float, why: str) -> None:
        async with self.pool.acquire() as conn:
            await jobs_repo.pause(conn, job_id, self.owner, until_s=wait_s, why=why)
        log.warning("post job paused", job_id=str(job_id), reason=why)

    async def _post(self, job_id: uuid.UUID, shop_id: str, sku: str, taxonomy: ShopTaxonomy) -> bool:
        error: str | None
        try:
            view = await self.poster.post(shop_id, sku, taxonomy=taxonomy)
            error = None if view["state"] == "posted" else "; ".join(
                f"{e.get('code')}: {e.get('message')}" for e in view.get("errors") or []) or "TikTok refused it"
        except PostRefused as exc:
            error = None if exc.already_posted else exc.message + "".join(
                f"; {p['rule']} {p['field']}: {p['message']}" for p in exc.problems[:5])
        async with self.pool.acquire() as conn:
            return await jobs_repo.finish_item(conn, job_id, self.owner, sku, error=error, lease_s=self.lease_s)
