"""Fixtures for the orders integration tests: a migrated ``orders`` schema on a fresh database, a
sandbox seller whose token comes straight from the sandbox's token endpoint (standing in for the
auth service, which only hands tokens out), and the orders service's TikTok API on top of it."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import asyncpg
import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI
from pydantic import SecretStr

from libs.common.db import common_migrations, create_pool, load_migrations, migrate
from libs.common.settings import SANDBOX_APP_KEY, SANDBOX_APP_SECRET
from libs.common.tiktok.client import TikTokClient
from libs.common.tiktok.ratelimit import RateLimiter
from libs.common.tiktok.tokens import ShopAccess
from services.orders.app import build_app
from services.orders.settings import OrdersSettings
from services.orders.shops import repo as shops_repo
from services.orders.shops.domain import Shop
from services.orders.tiktok import OrdersApi
from tests.support.stack import sandbox, shared_settings

SOURCE = "ttshop/orders"


class SandboxTokens:
    """A TokenProvider holding tokens obtained from the sandbox's own token endpoint."""

    def __init__(self) -> None:
        self.access: dict[str, ShopAccess] = {}

    async def get(self, shop_id: str) -> ShopAccess:
        return self.access[shop_id]

    async def invalidate(self, shop_id: str, refused_generation: int | None = None) -> None:
        return None


@dataclass
class Seller:
    shop_id: str
    shop_cipher: str


async def new_seller(http: httpx.AsyncClient, sandbox_url: str, tokens: SandboxTokens) -> Seller:
    created = await sandbox(http, "POST", f"{sandbox_url}/sandbox/sellers", json={})
    grant = await sandbox(
        http, "GET", f"{sandbox_url}/api/v2/token/get",
        params={"app_key": SANDBOX_APP_KEY, "app_secret": SANDBOX_APP_SECRET, "auth_code": created["auth_code"],
                "grant_type": "authorized_code"},
    )
    tokens.access[created["shop_id"]] = ShopAccess(
        shop_id=created["shop_id"], shop_cipher=created["shop_cipher"],
        access_token=SecretStr(grant["access_token"]), expires_at=float(grant["access_token_expire_in"]),
    )
    return Seller(created["shop_id"], created["shop_cipher"])


@pytest_asyncio.fixture(loop_scope="session")
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=20) as client:
        yield client


@pytest_asyncio.fixture(loop_scope="session")
async def pool(pg_dsn: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await create_pool(pg_dsn, schema="orders", max_size=20)
    await migrate(
        pool, schema="orders",
        migrations=[*common_migrations(), *load_migrations("services.orders.migrations", prefix="service")],
    )
    yield pool
    await pool.close()


@pytest_asyncio.fixture(loop_scope="session")
async def tokens() -> SandboxTokens:
    return SandboxTokens()


def orders_api(http: httpx.AsyncClient, sandbox_url: str, tokens: SandboxTokens, page_size: int = 100) -> OrdersApi:
    client = TikTokClient(
        http=http, base_url=sandbox_url, app_key=SANDBOX_APP_KEY, app_secret=SecretStr(SANDBOX_APP_SECRET),
        tokens=tokens, limiter=RateLimiter(50), backoff_initial_s=0.01, backoff_max_s=0.05,
    )
    return OrdersApi(client, page_size=page_size)


@pytest_asyncio.fixture(loop_scope="session")
async def api(http: httpx.AsyncClient, sandbox_url: str, tokens: SandboxTokens) -> OrdersApi:
    return orders_api(http, sandbox_url, tokens)


@pytest_asyncio.fixture(loop_scope="session")
async def shop(http: httpx.AsyncClient, sandbox_url: str, tokens: SandboxTokens, pool: asyncpg.Pool) -> Shop:
    """A sandbox shop, known to the orders service with order download on."""
    seller = await new_seller(http, sandbox_url, tokens)
    return await allow_download(pool, seller.shop_id)


async def allow_download(
    pool: asyncpg.Pool, shop_id: str, *, publish_on_hold: bool = False, on: bool = True, query_status_change: bool = True
) -> Shop:
    async with pool.acquire() as conn:
        await shops_repo.shop_settings(
            conn, shop_id=shop_id, allow_order_download=on, query_order_status_change=query_status_change,
            publish_on_hold_orders=publish_on_hold, status="active",
            at=datetime.now(UTC),
        )
        found = await shops_repo.get_shop(conn, shop_id)
    assert found is not None
    return found


async def place_order(http: httpx.AsyncClient, sandbox_url: str, shop_id: str, **body: Any) -> dict[str, Any]:
    body.setdefault("lines", [{"seller_sku": "TSHIRT-RED-M", "quantity": 2, "unit_price": "19.99"}])
    return await sandbox(http, "POST", f"{sandbox_url}/sandbox/shops/{shop_id}/orders", json=body)


async def move_order(http: httpx.AsyncClient, sandbox_url: str, order_id: str, status: str) -> dict[str, Any]:
    # TikTok's update_time has one-second resolution: make sure the change is a newer version.
    await asyncio.sleep(1.05)
    return await sandbox(http, "POST", f"{sandbox_url}/sandbox/orders/{order_id}/status", json={"status": status})


async def outbox(pool: asyncpg.Pool, event_type: str | None = None) -> list[dict[str, Any]]:
    async with pool.acquire() as conn:
        rows = await conn.fetch("SELECT event_type, payload FROM outbox ORDER BY seq")
    events = [json.loads(r["payload"]) for r in rows]
    return [e for e in events if event_type is None or e["type"] == event_type]


@pytest.fixture
def orders_app(pg_dsn: str, kafka_bootstrap: str, sandbox_url: str, internal_token: str,
               tokens: SandboxTokens) -> FastAPI:
    """The orders service's app on this test's database, polling hourly (webhooks and jobs every 0.2 s),
    with tokens straight from the sandbox: no auth service runs in these tests."""
    settings = OrdersSettings(
        **shared_settings(pg_dsn=pg_dsn, kafka_bootstrap=kafka_bootstrap, sandbox_url=sandbox_url,
                          internal_token=internal_token),
        poll_interval_s=3600, job_poll_interval_s=0.2, webhook_poll_interval_s=0.2,
    )
    return build_app(settings, tokens=tokens)

