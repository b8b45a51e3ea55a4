"""Orders scenario: N orders placed in the sandbox, a range download job, and the time until all N
are on ``orders.downloaded`` (read with a plain aiokafka consumer, as a WMS would)."""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer, TopicPartition

from tests.support import shops as support_shops
from tests.support.devstack import Stack
from tests.support.shops import admin_headers, control

TOPIC = "orders.downloaded"
#: The lines of every bench order (2 SKUs, 3 units).
LINES = [{"seller_sku": "BENCH-A", "quantity": 2, "unit_price": "9.99"},
         {"seller_sku": "BENCH-B", "quantity": 1, "unit_price": "4.50"}]


@dataclass
class OrdersRun:
    orders: int
    place_s: float = 0.0
    job_done_s: float = 0.0  # job created -> job done (all orders stored, events in the outbox)
    all_on_topic_s: float = 0.0  # job created -> the N-th distinct OrderDownloaded on the topic
    distinct: int = 0
    duplicates: int = 0
    pages: int = 0
    marks: dict[str, float] = field(default_factory=dict)
    shop_id: str = ""  # the shop the orders were placed in (the console scenario shows them)

    @property
    def orders_per_s(self) -> float:
        return self.orders / self.all_on_topic_s if self.all_on_topic_s else 0.0


async def connect_shop(stack: Stack, http: httpx.AsyncClient) -> str:
    """A sandbox seller connected through the CLI (auth service), order download on."""
    shop_id = await support_shops.connect_shop(stack, http, "--allow-order-download")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # the orders service learns the switch from shops.changed
        answer = await http.get(f"{stack.url('orders')}/shops")
        if answer.status_code != 200:
            raise RuntimeError(f"orders GET /shops -> {answer.status_code} {answer.text[:500]}")
        shops = answer.json()["shops"]
        if any(s["shop_id"] == shop_id and s["allow_order_download"] for s in shops):
            return shop_id
        await asyncio.sleep(0.2)
    raise RuntimeError(f"the orders service never saw shop {shop_id} with order download on")


async def _consumer(bootstrap: str) -> AIOKafkaConsumer:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    partitions = consumer.partitions_for_topic(TOPIC)
    if not partitions:
        await consumer.topics()
        partitions = consumer.partitions_for_topic(TOPIC) or {0}
    assigned = [TopicPartition(TOPIC, p) for p in sorted(partitions)]
    consumer.assign(assigned)
    await consumer.seek_to_end(*assigned)
    for tp in assigned:  # resolve the end offsets now, before anything is published
        await consumer.position(tp)
    return consumer


async def run(stack: Stack, orders: int, *, on_job_started: Any = None) -> OrdersRun:
    result = OrdersRun(orders)
    async with httpx.AsyncClient(timeout=300, headers=admin_headers(stack)) as http:
        shop_id = result.shop_id = await connect_shop(stack, http)
        started = time.monotonic()
        await control(http, "POST", f"{stack.url('sandbox')}/sandbox/shops/{shop_id}/orders/bulk", json={
            "count": orders, "webhook": False, "lines": LINES,
        })
        result.place_s = time.monotonic() - started
        consumer = await _consumer(stack.bootstrap)
        try:
            seen: set[str] = set()
            t0 = time.monotonic()
            job = (await http.post(f"{stack.url('orders')}/jobs/download", json={"shop": shop_id})).json()
            if on_job_started is not None:
                on_job_started()
            job_task = asyncio.create_task(_wait_job(http, stack.url("orders"), job["id"], t0, result))
            deadline = t0 + max(120.0, orders / 20)
            while len(seen) < orders and time.monotonic() < deadline:
                batch = await consumer.getmany(timeout_ms=200, max_records=5000)
                for records in batch.values():
                    for record in records:
                        event = json.loads(record.value)
                        if event.get("shopid") != shop_id:
                            continue
                        order_id = event["data"]["order_id"]
                        if order_id in seen:
                            result.duplicates += 1
                        seen.add(order_id)
                        if len(seen) in (orders // 10, orders // 2):
                            result.marks[f"{len(seen)} on topic"] = time.monotonic() - t0
            result.all_on_topic_s = time.monotonic() - t0
            result.distinct = len(seen)
            await asyncio.wait_for(job_task, timeout=60)
        finally:
            await consumer.stop()
    return result


async def _wait_job(http: httpx.AsyncClient, orders_url: str, job_id: str, t0: float, result: OrdersRun) -> None:
    while True:
        job = (await http.get(f"{orders_url}/jobs/{job_id}")).json()
        if job["status"] in ("done", "failed"):
            result.job_done_s = time.monotonic() - t0
            result.pages = job["pages_done"]
            if job["status"] == "failed":
                raise RuntimeError(f"download job failed: {job['error']}")
            return
        await asyncio.sleep(0.05)
