"""Scaling by replicas: two processes each of orders, catalog and fulfillment (same consumer group, schema,
role and credentials; ports of their own) share the work through consumer groups and database leases. Under a
steady load (orders placed on TikTok, a WMS shipping each, stock changes for listed SKUs) each of the six
processes does work; then one replica of each is killed with SIGKILL in the middle of the load (the orders one
is the one TikTok's webhooks reach), and in the end nothing is lost or done twice: one OrderDownloaded per order,
each tracking on TikTok once, every SKU holding the newest stock sent."""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import time
from pathlib import Path

import httpx
import pytest

from tests.chaos.load import Producer
from tests.chaos.stack import ChaosStack
from tests.support.replica_load import (
    Done,
    change_stock,
    downloaded_event_ids,
    package_calls,
    packages_on_tiktok,
    place_orders,
    stock_on_tiktok,
    wms,
)
from tests.support.replicas import add_replica, events_consumed, group_members, tiktok_calls
from tests.support.shops import connect_shop, listed_skus
from tests.support.waiting import until, wait_db

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(420)]

SCALED = ("orders", "catalog", "fulfillment")
#: Every child inherits these: partitions for two members to share, and leases short enough that the work a
#: killed replica had claimed is taken over within the test.
CHILD_ENV = {"KAFKA_TOPIC_PARTITIONS": "4", "CATALOG_UPLOAD_LEASE_S": "10", "FULFILLMENT_UPLOAD_LEASE_S": "10"}
SHOPS, SKUS_PER_SHOP = 2, 10
ORDERS_PER_S, STOCK_PER_S = 10.0, 50.0
ORDERS_BEFORE_KILL = ORDERS_AFTER_KILL = 100
#: Shop settings each scaled service must have seen before the load: schema.table, column.
SWITCHES = {"orders.shops": "allow_order_download", "catalog.shops": "allow_inventory_upload",
            "fulfillment.shops": "allow_tracking_upload"}


async def _work(http: httpx.AsyncClient, stack: ChaosStack, name: str) -> float:
    """What one process has done so far, by the mechanism its service scales with."""
    url, service = stack.url(name), name.split("-")[0]
    if service == "orders":  # leases and per-shop locks: the webhook worker, the poll
        return await tiktok_calls(http, url, "/order/")
    return await events_consumed(http, url, "inventory.changed" if service == "catalog" else "shipments.created")


async def _all_work(http: httpx.AsyncClient, stack: ChaosStack, names: list[str]) -> dict[str, float]:
    return dict(zip(names, await asyncio.gather(*(_work(http, stack, n) for n in names)), strict=True))


async def test_replicas_share_the_work_and_a_killed_one_loses_and_doubles_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    root = Path(tempfile.mkdtemp(prefix="ttshop-replicas-"))
    monkeypatch.setenv("TTSHOP_STATE_DIR", str(root))  # the stack sets it too; restored after the test
    for name, value in CHILD_ENV.items():
        monkeypatch.setenv(name, value)
    stack = ChaosStack(root)
    started = time.monotonic()
    try:
        await stack.start()
        await asyncio.gather(*(add_replica(stack, s) for s in SCALED))
        ready_s = time.monotonic() - started
        processes = [name for s in SCALED for name in (s, f"{s}-2")]
        async with httpx.AsyncClient(timeout=60, headers=stack.admin_headers) as http:
            switches = ("--allow-order-download", "--allow-tracking-upload", "--allow-inventory-upload")
            shops = [await connect_shop(stack, http, *switches, name=f"replica{n}") for n in range(SHOPS)]
            skus = [sku for n, shop in enumerate(shops)
                    for sku in await listed_skus(stack, http, shop, [f"REPL-{n}-{i:02d}" for i in range(SKUS_PER_SHOP)])]
            for table, column in SWITCHES.items():
                for shop in shops:
                    await wait_db(stack.dsn, f"SELECT {column} FROM {table} WHERE shop_id = $1", shop, until=bool)

            async def two_members(group: str) -> bool:
                return await group_members(stack.bootstrap, group) == 2

            for service in SCALED:
                await until(lambda g=f"ttshop-{service}": two_members(g), 60, every_s=0.5, what=f"two in ttshop-{service}")

            done, producer = Done(), Producer(stack.bootstrap)
            await producer.start()
            stop, finished = asyncio.Event(), asyncio.Event()
            sandbox = stack.url("sandbox")
            load = [asyncio.create_task(place_orders(http, sandbox, shops, done, stop, per_s=ORDERS_PER_S)),
                    asyncio.create_task(change_stock(producer, skus, done, stop, per_s=STOCK_PER_S))]
            reader = asyncio.create_task(wms(stack.bootstrap, producer, done, finished))
            try:
                async def each_worked() -> dict[str, float] | None:
                    work = await _all_work(http, stack, processes)
                    return work if all(work.values()) and len(done.placed) >= ORDERS_BEFORE_KILL else None

                before = await until(each_worked, 90, every_s=0.5, what="every replica at work, mid-load")
                at_kill = len(done.placed)
                for service in SCALED:
                    stack.kill(service)  # SIGKILL, mid-load: the orders one receives TikTok's webhooks

                async def placed_after_kill() -> bool:
                    return len(done.placed) >= at_kill + ORDERS_AFTER_KILL

                await until(placed_after_kill, 60, every_s=0.2, what="orders placed after the kill")
                stop.set()
                await asyncio.gather(*load)

                async def quiet() -> bool:
                    if set(done.placed) - done.downloaded or set(done.shipped) != done.downloaded:
                        return False
                    held = await packages_on_tiktok(http, sandbox, sorted(done.shipped))
                    tracked = all(any(p["tracking_number"] == done.shipped[o] for p in held[o]) for o in held)
                    return tracked and await stock_on_tiktok(http, sandbox, shops) == done.stock

                await until(quiet, 120, every_s=2, what="every order downloaded, tracked and every SKU's stock sent")
            finally:
                stop.set()
                finished.set()
                await asyncio.gather(*load, reader, return_exceptions=True)
                await producer.stop()
            after = await _all_work(http, stack, [f"{s}-2" for s in SCALED])

            events = await downloaded_event_ids(stack.bootstrap)
            packages = await packages_on_tiktok(http, sandbox, sorted(done.shipped))
            held_stock = await stock_on_tiktok(http, sandbox, shops)
            calls = await package_calls(http, sandbox)
    finally:
        stack.stop()
        shutil.rmtree(root, ignore_errors=True)

    print(f"\nready in {ready_s:.0f} s; {len(done.placed)} orders ({at_kill} before the kill), "
          f"{len(done.shipped)} shipments ({calls} tracking upload calls), {done.stock_events} stock changes over {len(skus)} SKUs; "
          f"work before the kill {before}, of the survivors at the end {after}; {time.monotonic() - started:.0f} s")
    assert set(done.placed) <= set(events), f"lost: {sorted(set(done.placed) - set(events))[:5]}"
    assert all(len(ids) == 1 for ids in events.values()), {o: ids for o, ids in events.items() if len(ids) > 1}
    assert set(done.shipped) == set(done.placed)
    twice = {o: p for o, p in packages.items() if len(p) != 1 or p[0]["tracking_number"] != done.shipped[o]}
    assert not twice, f"orders not shipped exactly once with their tracking: {twice}"
    assert held_stock == done.stock and len(held_stock) == len(skus)
    assert all(after[f"{s}-2"] > before[f"{s}-2"] for s in SCALED), (before, after)  # the survivors took over
