"""The attribute download worker (R31): runs the queued attribute downloads as resumable, leased jobs."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
import structlog

from libs.common.tiktok.errors import TikTokError
from libs.common.tiktok.tokens import AUTHORIZATION_PROBLEMS, ShopNotAuthorized
from libs.common.worker import DrainWorker
from services.catalog.taxonomy import repo
from services.catalog.taxonomy.domain import attribute_from_wire, rules_from_wire
from services.catalog.taxonomy.service import TaxonomyError, version_of
from services.catalog.taxonomy.tiktok import TaxonomyTikTok

log = structlog.get_logger(__name__)


class AttributeJobs(DrainWorker):
    """Runs queued attribute downloads: a few categories at once (the client's rate limiter keeps each
    endpoint under TikTok's limit), each stored with its item marked done in one transaction. A job
    whose worker died is taken over when its lease runs out and resumes with the categories left."""

    def __init__(self, *, pool: asyncpg.Pool, tiktok: TaxonomyTikTok, poll_s: float = 2.0, lease_s: float = 120.0,
                 concurrency: int = 8, paused_s: float = 30.0) -> None:
        super().__init__(poll_s=poll_s)
        self.pool, self.tiktok, self.owner = pool, tiktok, uuid.uuid4()
        self.lease_s, self.concurrency, self.paused_s = lease_s, concurrency, paused_s

    async def run_once(self) -> int:
        return int(await self.run_next())

    async def run_next(self) -> bool:
        async with self.pool.acquire() as conn:
            job = await repo.claim_job(conn, owner=self.owner, lease_s=self.lease_s)
        if job is None:
            return False
        job_id, shop_id = job["id"], job["shop_id"]
        bound = log.bind(job_id=str(job_id), shop_id=shop_id)
        try:
            version = await version_of(self.pool, shop_id)
            while True:
                async with self.pool.acquire() as conn:
                    batch = await repo.pending_items(conn, job_id, self.concurrency * 4)
                if not batch:
                    break
                if not await self._run_batch(job_id, shop_id, version, batch):
                    bound.warning("attribute job lease lost; another worker took it over")
                    return True
        except (TaxonomyError, TikTokError, ShopNotAuthorized) as exc:  # transient, or not authorised
            async with self.pool.acquire() as conn:
                await repo.release_job(conn, job_id, self.owner, self.paused_s, f"waiting: {exc}")
            bound.warning("attribute job paused", error=str(exc))
            return True
        async with self.pool.acquire() as conn:
            await repo.finish_job(conn, job_id, self.owner, error=None)
        bound.info("attribute job done")
        return True

    async def _run_batch(self, job_id: uuid.UUID, shop_id: str, version: str | None, batch: list[str]) -> bool:
        gate = asyncio.Semaphore(self.concurrency)

        async def one(category_id: str) -> bool:
            async with gate:
                return await self._download(job_id, shop_id, version, category_id)

        results = await asyncio.gather(*(one(c) for c in batch))
        return all(results)

    async def _download(self, job_id: uuid.UUID, shop_id: str, version: str | None, category_id: str) -> bool:
        try:
            raw_attributes = await self.tiktok.attributes(shop_id, category_id, version=version)
            raw_rules = await self.tiktok.rules(shop_id, category_id, version=version)
        except TikTokError as exc:
            if exc.transient or isinstance(exc, AUTHORIZATION_PROBLEMS):
                raise  # the job pauses (transient: the client already retried) and resumes later
            error: str | None = f"TikTok refused ({exc.code}): {exc.message}"
            attributes, rules = [], None
        else:
            error = None
            attributes = [attribute_from_wire(a) for a in raw_attributes]
            rules = rules_from_wire(raw_rules)
        async with self.pool.acquire() as conn, conn.transaction():
            if rules is not None:
                await repo.save_details(conn, shop_id, category_id, attributes, rules)
            return await repo.finish_item(conn, job_id, self.owner, category_id, error=error, lease_s=self.lease_s)
