"""Inventory scenario: one InventoryChanged per SKU published with a plain aiokafka producer, then the
time until TikTok (the sandbox) holds every new quantity; then a burst of 5 changes per SKU in a row
(coalescing) and one of 20 (the consumption rate). When each SKU took its new quantity is the sandbox's
own clock at the inventory/update that set it (``GET /sandbox/shops/{id}/inventory`` gives it per SKU),
so latencies are exact to the millisecond, not rounded up to a poll; the poll of that lean view (every
:data:`POLL_S`, at most :data:`POLL_SHARE` of the time) only tells when every SKU is done and catches
intermediate values. The ideal drain is one call per product (every listing here has one SKU) at
TikTok's 50 calls per second per shop and endpoint.
Setup (shop, listings, import, warm-up) is in :mod:`tests.bench.inventory_setup`."""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.structs import RecordMetadata, TopicPartition

from tests.bench.consumer_progress import GroupProgress
from tests.bench.inventory_setup import TOPIC, Shop, inventory_changed, prepare
from tests.support.devstack import Stack
from tests.support.shops import admin_headers, control

POLL_S = 0.05  # default; --poll-ms
#: at most this share of the time is spent in the poll's GET (the next poll waits GET time / share)
POLL_SHARE = 0.1
#: after every SKU holds its value: long enough for a late call to show (coalescing window 0.2 s)
SETTLE_S = 1.0
CHANGES_PER_SKU = 5
FLOOD_PER_SKU = 20
CATALOG_GROUP = "ttshop-catalog"
TIKTOK_QPS = 50  # per shop and endpoint (the sandbox's default, as TikTok's)
BURSTS = 3


@dataclass
class Burst:
    label: str
    skus: int
    events: int
    publish_s: float = 0.0  # first send -> last ack
    all_held_s: float = 0.0  # first send -> the last SKU took its value (the sandbox's clock)
    consumed_s: float | None = None  # first send -> the catalog committed the last event (None: not seen)
    latencies: list[float] = field(default_factory=list)  # per SKU: its last publish -> TikTok took it
    missing: int = 0  # SKUs that never held their value before the deadline
    calls: int = 0  # inventory/update calls the sandbox served for the burst (settle included)
    rate_limited: int = 0  # inventory/update calls the sandbox refused with 429 meanwhile
    intermediate_seen: int = 0  # SKUs seen holding a value that was neither the old nor the final one
    wrong_after_settle: int = 0
    polls: int = 0
    poll_ms: list[float] = field(default_factory=list)  # duration of each GET of the lean view
    interval_ms: list[float] = field(default_factory=list)  # start to start of consecutive polls
    raw_read_s: float | None = None  # a plain aiokafka consumer reading the same records afterwards

    @property
    def consumed_per_s(self) -> float:
        return self.events / self.consumed_s if self.consumed_s else 0.0

    @property
    def raw_per_s(self) -> float:
        return self.events / self.raw_read_s if self.raw_read_s else 0.0

    @property
    def skus_per_s(self) -> float:
        return self.skus / self.all_held_s if self.all_held_s and not self.missing else 0.0

    @property
    def ideal_s(self) -> float:
        """Calls needed after coalescing (one per single-SKU listing) / TikTok's limit per shop and endpoint."""
        return self.skus / TIKTOK_QPS

    def latency(self, q: float) -> float:
        """Nearest-rank percentile (q in 0..1) of the per-SKU latencies."""
        ordered = sorted(self.latencies)
        return ordered[max(0, math.ceil(q * len(ordered)) - 1)] if ordered else float("nan")


@dataclass
class InventoryRun:
    skus: int
    poll_s: float = POLL_S
    shop: Shop | None = None
    bursts: list[Burst] = field(default_factory=list)
    profiled_s: float = 0.0

    @property
    def ok(self) -> bool:
        return len(self.bursts) == BURSTS and not any(b.missing or b.wrong_after_settle for b in self.bursts)


class TikTokView:
    """The shop's SKUs as the sandbox holds them, from its lean inventory view: SKU id -> (total quantity,
    the sandbox's clock when inventory/update last set it, or None)."""

    def __init__(self, http: httpx.AsyncClient, sandbox_url: str, shop_id: str) -> None:
        self._http, self._url = http, f"{sandbox_url}/sandbox/shops/{shop_id}/inventory"

    async def held(self) -> dict[str, tuple[int, float | None]]:
        data = await control(self._http, "GET", self._url)
        return {str(s["sku_id"]): (int(s["quantity"]), s["changed_at"]) for s in data["skus"]}

    async def quantities(self) -> dict[str, int]:
        return {sku_id: quantity for sku_id, (quantity, _) in (await self.held()).items()}


async def update_calls(http: httpx.AsyncClient, sandbox_url: str) -> tuple[int, int]:
    """inventory/update calls the sandbox has served so far, and refused with 429 (all shops and products)."""
    data = await control(http, "GET", f"{sandbox_url}/sandbox/requests", params={"path": "/product/202309/products/"})

    def updates(counts: dict[str, int]) -> int:
        return sum(n for path, n in counts.items() if path.endswith("/inventory/update"))

    return updates(data["counts"]), updates(data["rate_limited"])


async def _watch(view: TikTokView, burst: Burst, before: dict[str, int], final: dict[str, int],
                 published_at: dict[str, float], t0_wall: float, deadline: float, poll_s: float) -> None:
    """Poll every ``poll_s`` (start to start; longer when the GET is slow) until every SKU holds
    ``final``; take when each got it from the sandbox's clock (``published_at`` and ``t0_wall`` are
    ``time.time()``: the sandbox runs on this machine)."""
    pending = set(final)
    odd: set[str] = set()
    previous: float | None = None
    while pending and time.monotonic() < deadline:
        started = time.monotonic()
        if previous is not None:
            burst.interval_ms.append((started - previous) * 1000)
        previous = started
        held = await view.held()
        seen_at = time.monotonic()
        burst.polls += 1
        burst.poll_ms.append((seen_at - started) * 1000)
        for sku_id in list(pending):
            quantity, changed_at = held.get(sku_id, (None, None))
            if quantity == final[sku_id] and sku_id in published_at and changed_at is not None:
                burst.latencies.append(changed_at - published_at[sku_id])
                pending.discard(sku_id)
                burst.all_held_s = max(burst.all_held_s, changed_at - t0_wall)
            elif quantity is not None and quantity != before[sku_id]:
                odd.add(sku_id)
        interval = max(poll_s, (seen_at - started) / POLL_SHARE)
        await asyncio.sleep(max(0.0, started + interval - time.monotonic()))
    burst.missing = len(pending)
    burst.intermediate_seen = len(odd)


async def _burst(http: httpx.AsyncClient, producer: AIOKafkaProducer, progress: GroupProgress, view: TikTokView,
                 sandbox_url: str, shop: Shop, label: str, values: Callable[[int], list[int]],
                 before: dict[str, int], poll_s: float, bootstrap: str) -> Burst:
    """Publish ``values(i)`` (in order) for the i-th SKU, SKU after SKU; watch until each holds its last."""
    skus = sorted(shop.sku_ids)
    plan = {sku: values(i) for i, sku in enumerate(skus)}
    final = {shop.sku_ids[sku]: plan[sku][-1] for sku in skus}
    burst = Burst(label, len(skus), sum(len(v) for v in plan.values()))
    calls_before, refused_before = await update_calls(http, sandbox_url)
    published_at: dict[str, float] = {}
    base = datetime.now(UTC)
    t0, t0_wall = time.monotonic(), time.time()
    deadline = t0 + 30 + len(skus) / 10
    watcher = asyncio.create_task(_watch(view, burst, before, final, published_at, t0_wall, deadline, poll_s))
    try:
        acks: list[asyncio.Future[RecordMetadata]] = []
        for sku in skus:
            for k, quantity in enumerate(plan[sku]):
                event = inventory_changed(sku, quantity, base + timedelta(milliseconds=k))
                published_at[shop.sku_ids[sku]] = time.time()
                acks.append(await producer.send(TOPIC, event, key=sku.encode()))
        written = await asyncio.gather(*acks)
        burst.publish_s = time.monotonic() - t0
        ends: dict[int, int] = {}
        starts: dict[int, int] = {}
        for meta in written:
            ends[meta.partition] = max(ends.get(meta.partition, 0), meta.offset + 1)
            starts[meta.partition] = min(starts.get(meta.partition, meta.offset), meta.offset)
        burst.consumed_s = await progress.until(ends, t0, deadline)
        await watcher
    finally:
        watcher.cancel()
    burst.raw_read_s = await raw_read(bootstrap, starts, ends)
    await asyncio.sleep(SETTLE_S)
    held = await view.quantities()
    burst.wrong_after_settle = sum(held.get(sku_id) != q for sku_id, q in final.items())
    calls, refused = await update_calls(http, sandbox_url)
    burst.calls, burst.rate_limited = calls - calls_before, refused - refused_before
    return burst


async def raw_read(bootstrap: str, starts: dict[int, int], ends: dict[int, int]) -> float:
    """Seconds a plain aiokafka consumer (no group, no processing) takes to read the same records: the
    baseline the catalog's consumption is measured against."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, group_id=None,
                                max_partition_fetch_bytes=8 * 1024 * 1024)
    await consumer.start()
    try:
        parts = {p: TopicPartition(TOPIC, p) for p in starts}
        consumer.assign(list(parts.values()))
        for p, tp in parts.items():
            consumer.seek(tp, starts[p])
        left = {p: ends[p] for p in starts}
        t = time.monotonic()
        while left:
            batches = await consumer.getmany(timeout_ms=1000, max_records=10_000)
            for tp, records in batches.items():
                if records and tp.partition in left and records[-1].offset + 1 >= left[tp.partition]:
                    del left[tp.partition]
        return time.monotonic() - t
    finally:
        await consumer.stop()


def first_values(i: int) -> list[int]:
    return [1 + i % 9000]


def burst_values(i: int) -> list[int]:
    return [10_000 * (k + 1) + i % 9000 for k in range(CHANGES_PER_SKU)]


def flood_values(i: int) -> list[int]:
    return [1_000 * (k + 1) + i % 900 for k in range(FLOOD_PER_SKU)]


async def run(stack: Stack, skus: int, *, poll_s: float = POLL_S, on_measure_start: Callable[[], None] | None = None,
              on_measure_end: Callable[[], None] | None = None) -> InventoryRun:
    result = InventoryRun(skus, poll_s)
    sandbox_url = stack.url("sandbox")
    async with httpx.AsyncClient(timeout=120, headers=admin_headers(stack)) as http:
        producer = AIOKafkaProducer(bootstrap_servers=stack.bootstrap)
        progress = GroupProgress(stack.bootstrap, CATALOG_GROUP, TOPIC)
        await producer.start()
        await progress.start()
        try:
            shop = result.shop = await prepare(stack, http, producer, skus)
            view = TikTokView(http, sandbox_url, shop.shop_id)
            if on_measure_start is not None:
                on_measure_start()
            t = time.monotonic()
            for label, values in (("1 change per SKU", first_values),
                                  (f"{CHANGES_PER_SKU} changes per SKU in a row", burst_values),
                                  (f"{FLOOD_PER_SKU} changes per SKU in a row (consumption rate)", flood_values)):
                before = await view.quantities()
                result.bursts.append(await _burst(http, producer, progress, view, sandbox_url, shop, label, values,
                                                  before, poll_s, stack.bootstrap))
            result.profiled_s = time.monotonic() - t
            if on_measure_end is not None:
                on_measure_end()
        finally:
            await progress.stop()
            await producer.stop()
    return result
