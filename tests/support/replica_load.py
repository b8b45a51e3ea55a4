"""A steady load for the replica test, remembering what it did: orders placed in the sandbox (TikTok's webhook
tells the orders service), a WMS that ships each downloaded order once (``ShipmentCreated``), and an upstream
system changing the stock of listed SKUs (``InventoryChanged``, each newer than the last); and the checks made
from outside afterwards: the topic as a WMS reads it, and the sandbox as TikTok holds it."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections import defaultdict
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer

from libs.common.events.inventory import InventoryChanged
from tests.chaos.load import Producer
from tests.support.shipments import shipped
from tests.support.shops import control
from tests.support.topics import read_topic


@dataclass
class Done:
    """What the load did."""

    placed: dict[str, str] = field(default_factory=dict)  # order id -> shop id
    downloaded: set[str] = field(default_factory=set)  # orders the WMS has seen on orders.downloaded
    shipped: dict[str, str] = field(default_factory=dict)  # order id -> the tracking number the WMS sent
    stock: dict[str, int] = field(default_factory=dict)  # SKU -> the newest `available` sent
    stock_events: int = 0


async def _pace(stop: asyncio.Event, seconds: float) -> None:
    with suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)


async def place_orders(http: httpx.AsyncClient, sandbox: str, shops: list[str], done: Done, stop: asyncio.Event,
                       *, per_s: float) -> None:
    """One order at a time, the shops in turn, until ``stop``."""
    while not stop.is_set():
        shop = shops[len(done.placed) % len(shops)]
        order = await control(http, "POST", f"{sandbox}/sandbox/shops/{shop}/orders",
                              json={"lines": [{"seller_sku": "REPLICA-ORDER", "quantity": 1, "unit_price": "5.00"}]})
        done.placed[order["id"]] = shop
        await _pace(stop, 1 / per_s)


async def change_stock(producer: Producer, skus: list[str], done: Done, stop: asyncio.Event, *, per_s: float) -> None:
    """``InventoryChanged`` for the SKUs in turn, each a newer change than any before, until ``stop``."""
    at = datetime.now(UTC)
    while not stop.is_set():
        n = done.stock_events
        at += timedelta(milliseconds=1)
        data = InventoryChanged(seller_sku=skus[n % len(skus)], available=(n * 37) % 500 + 1, occurred_at=at)
        await producer.send(data)
        done.stock[data.seller_sku] = data.available
        done.stock_events += 1
        await _pace(stop, 1 / per_s)


async def wms(bootstrap: str, producer: Producer, done: Done, finished: asyncio.Event) -> None:
    """Reads ``orders.downloaded`` as a WMS would and ships each order once, as soon as it sees it."""
    consumer = AIOKafkaConsumer("orders.downloaded", bootstrap_servers=bootstrap, group_id=None,
                                auto_offset_reset="earliest", enable_auto_commit=False)
    await consumer.start()
    try:
        while not finished.is_set():
            for records in (await consumer.getmany(timeout_ms=200, max_records=500)).values():
                for record in records:
                    data = json.loads(record.value)["data"]
                    order_id = data["order_id"]
                    done.downloaded.add(order_id)
                    if order_id not in done.shipped:
                        tracking = f"9400{uuid.uuid4().int % 10**18:018d}"
                        await producer.send(shipped(data["shop_id"], order_id, f"SHP-{order_id}", tracking, "USPS"))
                        done.shipped[order_id] = tracking
    finally:
        await consumer.stop()


async def downloaded_event_ids(bootstrap: str) -> dict[str, set[str]]:
    """Every order on ``orders.downloaded`` now, with the distinct ids of the events that carried it."""
    found: dict[str, set[str]] = defaultdict(set)
    for record in await read_topic(bootstrap, "orders.downloaded"):
        event = json.loads(record.value)
        found[event["data"]["order_id"]].add(event["id"])
    return found


async def packages_on_tiktok(http: httpx.AsyncClient, sandbox: str, order_ids: list[str]) -> dict[str, list[Any]]:
    """Order id -> the packages TikTok holds for it (each with its tracking number)."""
    gate = asyncio.Semaphore(16)

    async def one(order_id: str) -> tuple[str, list[Any]]:
        async with gate:
            held = await control(http, "GET", f"{sandbox}/sandbox/orders/{order_id}")
            return order_id, list(held.get("package_details") or [])

    return dict(await asyncio.gather(*(one(o) for o in order_ids)))


async def package_calls(http: httpx.AsyncClient, sandbox: str) -> int:
    """Tracking uploads TikTok answered (``POST …/orders/{id}/packages``, refusals included)."""
    served = await control(http, "GET", f"{sandbox}/sandbox/requests", params={"path": "/fulfillment/202309/orders/"})
    return sum(n for path, n in served["counts"].items() if path.endswith("/packages"))


async def stock_on_tiktok(http: httpx.AsyncClient, sandbox: str, shops: list[str]) -> dict[str, int]:
    """SKU -> the quantity TikTok holds for it (over its warehouses)."""
    held: dict[str, int] = {}
    for shop in shops:
        for product in (await control(http, "GET", f"{sandbox}/sandbox/shops/{shop}/products"))["products"]:
            for sku in product["skus"]:
                held[sku["seller_sku"]] = sum(int(i["quantity"]) for i in sku["inventory"])
    return held
