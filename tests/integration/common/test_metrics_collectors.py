"""The services' scrape-time queries against real PostgreSQL on their migrated schemas: sync lag and changes
waiting per shop (catalog), unfinished jobs by status (catalog, orders), token expiry per shop (auth), the
outbox backlog and its oldest row (every service)."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest
import pytest_asyncio

from libs.common import outbox
from libs.common.db import common_migrations, create_pool, load_migrations, migrate
from services.auth import repo as auth_repo
from services.catalog.posting.jobs import repo as post_jobs_repo
from services.catalog.sync.status import repo as sync_status
from services.catalog.taxonomy import repo as taxonomy_repo
from services.orders.intake.jobs import repo as download_jobs_repo

pytestmark = pytest.mark.integration


async def _migrated(dsn: str, service: str) -> asyncpg.Pool:
    pool = await create_pool(dsn, schema=service)
    await migrate(pool, schema=service,
                  migrations=[*common_migrations(), *load_migrations(f"services.{service}.migrations", prefix="service")])
    return pool


@pytest_asyncio.fixture(loop_scope="session")
async def catalog(pg_dsn: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await _migrated(pg_dsn, "catalog")
    yield pool
    await pool.close()


async def test_sync_lag_and_waiting_per_shop_and_kind(catalog: asyncpg.Pool) -> None:
    insert = ("INSERT INTO uploads (shop_id, product_id, sku_id, kind, seller_sku, quantity, occurred_at, event_id,"
              " status, queued_at) VALUES ($1, $2, $3, $4, $3, 1, now(), $3, $5, now() - make_interval(secs => $6))")
    async with catalog.acquire() as conn:
        for shop, sku, kind, status, age in [("S1", "a", "inventory", "pending", 30), ("S1", "b", "inventory", "pending", 5),
                                             ("S1", "c", "price", "uploaded", 99), ("S2", "d", "price", "pending", 12)]:
            await conn.execute(insert, shop, "P", sku, kind, status, age)
        waiting = await sync_status.waiting_by_shop(conn)
        lag = await sync_status.oldest_waiting_s(conn)
    assert waiting == {("S1", "inventory"): 2, ("S2", "price"): 1}
    assert set(lag) == {("S1", "inventory"), ("S2", "price")}
    assert 30 <= lag[("S1", "inventory")] < 40 and 12 <= lag[("S2", "price")] < 22


async def test_unfinished_jobs_by_status(catalog: asyncpg.Pool, pg_dsn: str) -> None:
    async with catalog.acquire() as conn:
        for status in ("queued", "running", "paused", "done", "failed"):
            await conn.execute("INSERT INTO post_jobs (id, shop_id, status) VALUES ($1, 'S1', $2)", uuid.uuid4(), status)
        for status in ("queued", "queued", "done"):
            await conn.execute("INSERT INTO taxonomy_jobs (id, shop_id, kind, status) VALUES ($1, 'S1', 'attributes', $2)",
                               uuid.uuid4(), status)
        assert await post_jobs_repo.open_counts(conn) == {"queued": 1, "running": 1, "paused": 1}
        assert await taxonomy_repo.open_job_counts(conn) == {"queued": 2}
    orders = await _migrated(pg_dsn, "orders")
    try:
        async with orders.acquire() as conn:
            for status in ("running", "done"):
                await conn.execute("INSERT INTO download_jobs (id, shop_id, from_ts, to_ts, status)"
                                   " VALUES ($1, 'S1', now() - interval '1 day', now(), $2)", uuid.uuid4(), status)
            assert await download_jobs_repo.open_counts(conn) == {"running": 1}
    finally:
        await orders.close()


async def test_token_expiry_per_connected_shop(pg_dsn: str) -> None:
    pool = await _migrated(pg_dsn, "auth")
    try:
        async with pool.acquire() as conn:
            for shop, status, expires_in in [("S1", "active", 3600), ("S2", "needs_reauthorization", -60),
                                             ("S3", "disconnected", 100), ("S4", "active", None)]:
                await conn.execute(
                    "INSERT INTO shops (shop_id, name, tax_id, status, settings, access_token_expires_at)"
                    " VALUES ($1, $1, 'T', $2, $3::jsonb, now() + make_interval(secs => $4))",
                    shop, status, json.dumps({}), expires_in)
            expiry = await auth_repo.token_expiry_s(conn)
    finally:
        await pool.close()
    assert set(expiry) == {"S1", "S2"}
    assert 3590 < expiry["S1"] <= 3600 and -70 < expiry["S2"] <= -60


async def test_outbox_backlog_and_its_oldest_row(catalog: asyncpg.Pool) -> None:
    async with catalog.acquire() as conn:
        assert (await outbox.unsent_count(conn), await outbox.oldest_unsent_age_s(conn)) == (0, 0.0)
        for i, age, sent in [(1, 50, True), (2, 20, False), (3, 5, False)]:
            await conn.execute(
                "INSERT INTO outbox (event_id, event_type, topic, payload, created_at, sent_at) VALUES"
                " ($1, 'X', 't', '{}', now() - make_interval(secs => $2), CASE WHEN $3 THEN now() END)",
                f"e{i}", age, sent)
        assert await outbox.unsent_count(conn) == 2
        assert 20 <= await outbox.oldest_unsent_age_s(conn) < 30
