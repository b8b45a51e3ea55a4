"""Killing the orders process (SIGKILL) in the middle of a range job and starting it again
finishes the job with no duplicate (R11): real process, PostgreSQL, broker and sandbox."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import uuid
from collections import defaultdict
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from libs.cli.infra import free_port
from tests.integration.orders.conftest import SandboxTokens, allow_download, new_seller, outbox
from tests.support.stack import collect, sandbox
from tests.support.waiting import until

ROOT = Path(__file__).resolve().parents[3]
ORDERS = 60


def start_child(env: dict[str, str]) -> subprocess.Popen[bytes]:
    # A fresh consumer group per start: the group (shops.changed) is not what this test is about, and
    # the killed member would otherwise hold the group for its 10 s session timeout.
    env = {**env, "ORDERS_CONSUMER_GROUP": f"ttshop-orders-{uuid.uuid4().hex[:8]}"}
    return subprocess.Popen([sys.executable, "-m", "tests.integration.orders.child_service"], env=env, cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)



async def test_killed_mid_job_the_restarted_process_finishes_without_duplicates(
    pool: asyncpg.Pool, pg_dsn: str, kafka_bootstrap: str, sandbox_url: str, http: httpx.AsyncClient,
    tokens: SandboxTokens,
) -> None:
    seller = await new_seller(http, sandbox_url, tokens)
    shop_id = seller.shop_id
    await allow_download(pool, shop_id)
    placed = await sandbox(http, "POST", f"{sandbox_url}/sandbox/shops/{shop_id}/orders/bulk", json={
        "count": ORDERS, "webhook": False, "lines": [{"seller_sku": "KILL-1", "quantity": 1, "unit_price": "1.00"}],
    })
    access = tokens.access[shop_id]
    port = free_port()
    env = {
        **os.environ, "DATABASE_URL": pg_dsn, "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
        "TIKTOK_API_BASE_URL": sandbox_url, "TIKTOK_AUTH_BASE_URL": sandbox_url, "ORDERS_PORT": str(port),
        "ORDERS_PAGE_SIZE": "5", "ORDERS_JOB_LEASE_S": "5", "ORDERS_JOB_POLL_INTERVAL_S": "0.2",
        "ORDERS_POLL_INTERVAL_S": "3600", "ORDERS_SETTLEMENT_INTERVAL_S": "3600", "LOG_JSON": "false",
        "TEST_SHOP_TOKENS": json.dumps({shop_id: [access.shop_cipher, access.access_token.get_secret_value(),
                                                  access.expires_at]}),
    }
    await sandbox(http, "POST", f"{sandbox_url}/sandbox/faults", json={
        "kind": "latency", "latency_ms": 250, "path": "/order/202309/orders/search", "shop_id": shop_id})
    child = start_child(env)
    url = f"http://127.0.0.1:{port}"
    try:
        async def ready() -> bool:
            try:
                return (await http.get(f"{url}/readyz")).status_code == 200
            except httpx.HTTPError:
                return False

        await until(ready, 60, every_s=0.1, what="orders process ready")
        job = (await http.post(f"{url}/jobs/download", json={"shop": shop_id})).json()

        async def some_pages() -> bool:
            return (await http.get(f"{url}/jobs/{job['id']}")).json()["pages_done"] >= 3

        await until(some_pages, 30, every_s=0.1, what="three pages done")
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
        async with pool.acquire() as conn:
            half = await conn.fetchrow("SELECT status, pages_done FROM download_jobs WHERE id = $1", uuid.UUID(job["id"]))
        assert half["status"] == "running" and half["pages_done"] < ORDERS // 5

        child = start_child(env)  # takes the job over once the dead worker's lease runs out
        await until(ready, 60, every_s=0.1, what="restarted orders process ready")

        async def finished() -> dict[str, Any] | None:
            found = (await http.get(f"{url}/jobs/{job['id']}")).json()
            return found if found["status"] in ("done", "failed") else None

        done = await until(finished, 60, every_s=0.1, what="job finished")
        assert (done["status"], done["orders_seen"]) == ("done", ORDERS)

        async def relayed() -> bool:  # the last page's events are committed with the job's end, sent just after
            async with pool.acquire() as conn:
                return not await conn.fetchval(
                    "SELECT count(*) FROM outbox WHERE sent_at IS NULL"
                    " AND convert_from(payload, 'UTF8')::jsonb ->> 'shopid' = $1", shop_id)

        await until(relayed, 30, every_s=0.1, what="the restarted process relayed its outbox")
    finally:
        await sandbox(http, "DELETE", f"{sandbox_url}/sandbox/faults")
        child.kill()
        child.wait(timeout=10)

    in_outbox = [e["data"]["order_id"] for e in await outbox(pool, "OrderDownloaded")]
    assert sorted(in_outbox) == sorted(placed["order_ids"])  # one event per order, none twice
    on_topic = await collect(kafka_bootstrap, "orders.downloaded", count=ORDERS, timeout_s=30,
                             predicate=lambda e: e.get("shopid") == shop_id)
    ids_per_order: dict[str, set[str]] = defaultdict(set)
    for event in on_topic:
        ids_per_order[event["data"]["order_id"]].add(event["id"])
    assert set(ids_per_order) == set(placed["order_ids"])
    assert all(len(ids) == 1 for ids in ids_per_order.values())  # redelivery, if any, carries the same id
