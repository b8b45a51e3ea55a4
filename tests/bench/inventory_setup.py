"""Inventory scenario, the part before anything is measured: a shop connected through the CLI with
inventory upload on, N single-SKU listings on TikTok (the sandbox), our N SKUs known to the catalog,
the product import run through the CLI, and one warm-up change sent end to end (tokens fetched,
the default warehouse cached, the switch seen by the catalog) so the bursts measure steady state."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
from aiokafka import AIOKafkaProducer

from tests.support.devstack import Stack
from tests.support.shops import connect_shop, control

TOPIC = "inventory.changed"
#: concurrent control / admin calls while setting up (the sandbox and catalog are one process each)
SETUP_CONCURRENCY = 16
INITIAL_QUANTITY = 0


@dataclass
class Shop:
    shop_id: str
    sku_ids: dict[str, str]  # our seller SKU -> TikTok sku id (the bench SKUs, not the warm-up one)
    timings: dict[str, float] = field(default_factory=dict)
    import_counts: dict[str, Any] = field(default_factory=dict)


def inventory_changed(seller_sku: str, available: int, occurred_at: datetime) -> bytes:
    """CloudEvents 1.0 JSON exactly as README.md shows an upstream system publishing it."""
    when = occurred_at.isoformat()
    event = {"specversion": "1.0", "id": str(uuid.uuid4()), "source": "ttshop-bench", "type": "InventoryChanged",
             "time": datetime.now(UTC).isoformat(), "datacontenttype": "application/json", "subject": seller_sku,
             "data": {"seller_sku": seller_sku, "available": available, "occurred_at": when}}
    return json.dumps(event).encode()


async def bounded(calls: Iterable[Callable[[], Awaitable[Any]]], limit: int = SETUP_CONCURRENCY) -> list[Any]:
    gate = asyncio.Semaphore(limit)

    async def one(call: Callable[[], Awaitable[Any]]) -> Any:
        async with gate:
            return await call()

    return await asyncio.gather(*(one(c) for c in calls))


async def prepare(stack: Stack, http: httpx.AsyncClient, producer: AIOKafkaProducer, skus: int) -> Shop:
    """Everything before the bursts; raises when the import did not match every SKU."""
    timings: dict[str, float] = {}
    t = time.monotonic()
    shop_id = await connect_shop(stack, http, "--allow-inventory-upload")
    timings["connect the shop (CLI), inventory upload on"] = time.monotonic() - t

    run = uuid.uuid4().hex[:6].upper()
    ours = [f"BENCH-{run}-{i:05d}" for i in range(skus)]
    probe = f"BENCH-{run}-WARMUP"
    catalog, sandbox = stack.url("catalog"), stack.url("sandbox")

    t = time.monotonic()

    def put(sku: str) -> Callable[[], Awaitable[Any]]:
        async def call() -> None:
            answer = await http.put(f"{catalog}/products/{sku}", json={"title": f"Bench {sku}"})
            if answer.status_code != 200:
                raise RuntimeError(f"catalog PUT /products/{sku} -> {answer.status_code} {answer.text[:300]}")
        return call

    await bounded(put(s) for s in [*ours, probe])
    timings[f"our {skus + 1} SKUs into the catalog (PUT /products)"] = time.monotonic() - t

    t = time.monotonic()

    def listing(sku: str) -> Callable[[], Awaitable[dict[str, Any]]]:
        body = {"title": f"Bench {sku}", "skus": [{"seller_sku": sku, "price": "9.99", "quantity": INITIAL_QUANTITY}]}
        return lambda: control(http, "POST", f"{sandbox}/sandbox/shops/{shop_id}/products", json=body)

    created = await bounded(listing(s) for s in [*ours, probe])
    timings[f"{skus + 1} listings in the sandbox ({SETUP_CONCURRENCY} concurrent control calls)"] = \
        time.monotonic() - t
    sku_ids = {c["skus"][0]["seller_sku"]: str(c["skus"][0]["id"]) for c in created}

    t = time.monotonic()
    answer = stack.ttshop("--json", "catalog", "products", "import", shop_id, timeout=300)
    counts: dict[str, Any] = json.loads(answer.stdout)
    timings["product import (`ttshop catalog products import`)"] = time.monotonic() - t
    if counts.get("matched") != skus + 1 or counts.get("unmatched"):
        raise RuntimeError(f"import matched {counts.get('matched')} of {skus + 1} SKUs: {counts}")

    t = time.monotonic()
    await producer.send_and_wait(TOPIC, inventory_changed(probe, 1, datetime.now(UTC)), key=probe.encode())
    await _until_uploaded(http, catalog, probe)
    timings["warm-up change end to end (switch seen, token, warehouse)"] = time.monotonic() - t
    sku_ids.pop(probe)
    return Shop(shop_id, sku_ids, timings, counts)


async def _until_uploaded(http: httpx.AsyncClient, catalog: str, sku: str, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    last: Any = None
    while time.monotonic() < deadline:
        answer = await http.get(f"{catalog}/inventory/{sku}")
        if answer.status_code == 200:
            last = answer.json()
            if any(s["upload_status"] == "uploaded" for s in last.get("shops", [])):
                return
        await asyncio.sleep(0.1)
    raise RuntimeError(f"the warm-up change for {sku} never reached TikTok; last catalog view: {last}")
