"""Bulk post jobs (R44) and the shops' auto-post jobs: queued here, run by :mod:`.worker`."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import asyncpg
import structlog

from libs.common.refusals import Conflict
from services.catalog.posting import repo
from services.catalog.posting.jobs import repo as jobs_repo
from services.catalog.products import repo as products
from services.catalog.shops import repo as shops

log = structlog.get_logger(__name__)


async def queue_bulk_post(pool: asyncpg.Pool, shop_id: str, skus: Sequence[str] | None) -> tuple[asyncpg.Record, int]:
    """One job posting ``skus`` (None: every product ready and not yet posted for the shop); the job and its size."""
    async with pool.acquire() as conn, conn.transaction():
        wanted = await jobs_repo.ready_unposted(conn, shop_id) if skus is None else sorted(set(skus))
        if not wanted:
            raise Conflict("nothing_to_post", f"no product is ready and unposted for shop {shop_id}; "
                           f"run `ttshop catalog products check --shop {shop_id} --all`")
        return await jobs_repo.create(conn, shop_id, wanted), len(wanted)


async def queue_auto_post(conn: asyncpg.Connection, shop_id: str, seller_sku: str) -> uuid.UUID | None:
    """A product became ready (ProductReady): with the shop's auto-post on, it joins the shop's auto-post
    job unless it is on TikTok already. A variation waits for its parent's ProductReady (the parent is
    ready only with its children)."""
    if not await shops.auto_posts(conn, shop_id):
        return None
    record = await products.get_record(conn, seller_sku)
    if record is None or record.parent_sku:
        return None
    posting = await repo.get(conn, shop_id, seller_sku)
    if posting is not None and posting["product_id"]:
        return None
    job_id = await jobs_repo.add_auto(conn, shop_id, seller_sku)
    if job_id is not None:
        log.info("ready product queued for auto-post", shop_id=shop_id, seller_sku=seller_sku, job_id=str(job_id))
    return job_id


