"""Manual download jobs (R11) and the webhook receiver against real PostgreSQL and the sandbox."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx
import pytest

from libs.common.refusals import Refused
from libs.common.web import ApiError, refusal_status
from services.orders.intake.jobs import service as jobs
from services.orders.intake.webhooks import service as webhooks
from services.orders.shops.domain import Shop
from services.orders.tiktok import OrdersApi
from tests.integration.orders.conftest import (
    SOURCE,
    SandboxTokens,
    allow_download,
    orders_api,
    outbox,
    place_order,
)
from tests.support.order_webhooks import receive, signed


class Crash(Exception):
    """Stands for the process dying in the middle of a job."""


class CrashingApi(OrdersApi):
    """The real API calls, but the process 'dies' when asked for page number ``crash_at``."""

    def __init__(self, inner: OrdersApi, crash_at: int) -> None:
        self.__dict__.update(inner.__dict__)
        self.calls = 0
        self.crash_at = crash_at

    async def created_page(self, shop_id: str, ge: int, lt: int, page_token: str | None) -> Any:
        self.calls += 1
        if self.calls == self.crash_at:
            raise Crash()
        return await super().created_page(shop_id, ge, lt, page_token)


async def test_job_downloads_a_range_resumes_after_a_crash_and_can_be_repeated(
    pool: asyncpg.Pool, shop: Shop, http: httpx.AsyncClient, sandbox_url: str, tokens: SandboxTokens
) -> None:
    ids = [(await place_order(http, sandbox_url, shop.shop_id))["id"] for _ in range(5)]
    job = await jobs.create_job(pool, shop_id=shop.shop_id, from_=None, to=None)
    assert job["status"] == "queued"

    crashing = CrashingApi(orders_api(http, sandbox_url, tokens, page_size=2), crash_at=2)
    with pytest.raises(Crash):
        await jobs.run_next_job(pool, crashing, owner=uuid.uuid4(), lease_s=60, source=SOURCE)
    half = await jobs.get_job(pool, uuid.UUID(job["id"]))
    assert (half["status"], half["pages_done"], half["orders_seen"]) == ("running", 1, 2)

    async with pool.acquire() as conn:  # the crashed worker's lease runs out
        await conn.execute("UPDATE download_jobs SET lease_until = now() - interval '1 second'")
    api = orders_api(http, sandbox_url, tokens, page_size=2)
    assert await jobs.run_next_job(pool, api, owner=uuid.uuid4(), lease_s=60, source=SOURCE)
    done = await jobs.get_job(pool, uuid.UUID(job["id"]))
    assert (done["status"], done["pages_done"], done["orders_seen"], done["orders_new"]) == ("done", 3, 5, 5)
    assert done["finished_at"] is not None

    again = await jobs.create_job(pool, shop_id=shop.shop_id, from_=None, to=None)
    assert await jobs.run_next_job(pool, api, owner=uuid.uuid4(), lease_s=60, source=SOURCE)
    repeated = await jobs.get_job(pool, uuid.UUID(again["id"]))
    assert (repeated["status"], repeated["orders_seen"], repeated["orders_new"]) == ("done", 5, 0)
    assert sorted(e["data"]["order_id"] for e in await outbox(pool, "OrderDownloaded")) == sorted(ids)
    assert not await jobs.run_next_job(pool, api, owner=uuid.uuid4(), lease_s=60, source=SOURCE)


async def test_job_range_excludes_orders_created_outside_it(
    pool: asyncpg.Pool, api: OrdersApi, shop: Shop, http: httpx.AsyncClient, sandbox_url: str
) -> None:
    old_time = int((datetime.now(UTC) - timedelta(days=3)).timestamp())
    old = await place_order(http, sandbox_url, shop.shop_id, create_time=old_time)
    await place_order(http, sandbox_url, shop.shop_id)
    start = datetime.now(UTC) - timedelta(days=4)
    job = await jobs.create_job(pool, shop_id=shop.shop_id, from_=start, to=start + timedelta(days=2))
    await jobs.run_next_job(pool, api, owner=uuid.uuid4(), lease_s=60, source=SOURCE)
    done = await jobs.get_job(pool, uuid.UUID(job["id"]))
    assert (done["status"], done["orders_seen"]) == ("done", 1)
    assert [e["data"]["order_id"] for e in await outbox(pool, "OrderDownloaded")] == [old["id"]]


async def test_job_is_refused_for_unknown_shops_and_shops_with_download_off(pool: asyncpg.Pool) -> None:
    with pytest.raises(Refused) as unknown:
        await jobs.create_job(pool, shop_id="never-connected", from_=None, to=None)
    assert (refusal_status(unknown.value), unknown.value.code) == (409, "shop_unknown")
    await allow_download(pool, "shop-off", on=False)
    with pytest.raises(Refused) as off:
        await jobs.create_job(pool, shop_id="shop-off", from_=None, to=None)
    assert (refusal_status(off.value), off.value.code) == (409, "order_download_off")
    assert "allow_order_download" in off.value.message


async def test_job_with_an_empty_range_is_refused(pool: asyncpg.Pool, shop: Shop) -> None:
    now = datetime.now(UTC)
    with pytest.raises(Refused) as bad:
        await jobs.create_job(pool, shop_id=shop.shop_id, from_=now, to=now - timedelta(hours=1))
    assert refusal_status(bad.value) == 422


async def test_webhook_with_a_bad_signature_is_refused_and_not_stored(pool: asyncpg.Pool) -> None:
    body, _ = signed({"type": 1, "tts_notification_id": "n1", "shop_id": "s", "data": {"order_id": "o"}})
    for signature in (None, "0" * 64):
        with pytest.raises(ApiError) as refused:
            await receive(pool, body, signature)
        assert refused.value.status == 401
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM webhook_inbox") == 0


async def test_order_webhooks_are_stored_then_fetched_and_ingested(
    pool: asyncpg.Pool, api: OrdersApi, shop: Shop, http: httpx.AsyncClient, sandbox_url: str
) -> None:
    placed = [await place_order(http, sandbox_url, shop.shop_id) for _ in range(3)]
    for n, order in enumerate(placed):
        body, signature = signed({"type": 1, "tts_notification_id": f"n{n}", "shop_id": shop.shop_id,
                                  "timestamp": 0, "data": {"order_id": order["id"], "order_status": "AWAITING_SHIPMENT"}})
        assert await receive(pool, body, signature) == {"received": True, "duplicate": False}
    assert (await receive(pool, body, signature))["duplicate"] is True  # TikTok's retry of the last one
    other, other_sig = signed({"type": 12, "tts_notification_id": "c1", "shop_id": shop.shop_id, "data": {}})
    assert (await receive(pool, other, other_sig))["received"] is True

    claimed = await webhooks.process_order_notifications(pool, api, source=SOURCE, batch_size=50, max_attempts=3)
    assert claimed == 3
    assert sorted(e["data"]["order_id"] for e in await outbox(pool, "OrderDownloaded")) == sorted(o["id"] for o in placed)
    async with pool.acquire() as conn:
        pending = await conn.fetch("SELECT type, processed_at FROM webhook_inbox WHERE processed_at IS NULL")
    assert [r["type"] for r in pending] == [12]  # a return notification: stored, not lost
    assert await webhooks.process_order_notifications(pool, api, source=SOURCE, batch_size=50, max_attempts=3) == 0


async def test_webhook_for_a_shop_with_download_off_is_recorded_as_ignored(
    pool: asyncpg.Pool, api: OrdersApi, shop: Shop, http: httpx.AsyncClient, sandbox_url: str
) -> None:
    await allow_download(pool, shop.shop_id, on=False)
    order = await place_order(http, sandbox_url, shop.shop_id)
    body, signature = signed({"type": 1, "tts_notification_id": "x", "shop_id": shop.shop_id,
                              "data": {"order_id": order["id"]}})
    await receive(pool, body, signature)
    await webhooks.process_order_notifications(pool, api, source=SOURCE, batch_size=50, max_attempts=3)
    async with pool.acquire() as conn:
        outcome = await conn.fetchval("SELECT outcome FROM webhook_inbox WHERE tts_notification_id = 'x'")
        stored = await conn.fetchval("SELECT count(*) FROM orders")
    assert outcome.startswith("ignored") and stored == 0
