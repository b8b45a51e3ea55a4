"""Steady scenario (issue 11): latency from publish to "TikTok holds it" at a steady rate. Five shops,
each with 80 products of 5 SKUs and 40 single-SKU products; ``InventoryChanged`` is published at
:data:`RATE` events/s for N seconds, shop after shop in turn (40/s each, under each shop's own 50 calls/s),
each for a random SKU of that shop (seeded) with the SKU's next value (1, 2, 3, ...). Every shop's
listings are read from the sandbox in one round of concurrent GETs every :data:`POLL_S` or less often
(the inventory scenario's :data:`~tests.bench.inventory_scenario.POLL_SHARE` rule, over the round); the
first round that shows a SKU holding a value gives that value's latency. A value overwritten before any
round saw it (coalesced, or sent and replaced between two rounds) is counted, not timed."""

from __future__ import annotations

import asyncio
import json
import math
import random
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
from aiokafka import AIOKafkaProducer
from aiokafka.structs import RecordMetadata

from services.catalog.settings import CatalogSettings
from tests.bench import listing_events
from tests.bench.consumer_progress import GroupProgress
from tests.bench.inventory_scenario import CATALOG_GROUP, POLL_SHARE, TikTokView
from tests.bench.inventory_setup import TOPIC, _until_uploaded, bounded, inventory_changed
from tests.support.devstack import Stack
from tests.support.shops import admin_headers, connect_shop, control

RATE = 200.0  # events/s over all shops
SHOPS = 5
MULTI_PRODUCTS, SKUS_PER_PRODUCT, SINGLE_PRODUCTS = 80, 5, 40  # per shop
STEADY_S = 20.0  # default; --steady-s
POLL_S = 0.1
COMMITTED_POLL_S = 0.05  # how often the catalog's committed offsets are read (Kafka admin API, not the sandbox)
DRAIN_S = 30.0  # after the last publish: how long every SKU may take to hold its last value
SEED = 11
KINDS = ("multi-SKU products", "single-SKU products")


def pct(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..1); NaN when empty."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)] if ordered else float("nan")


@dataclass
class SteadyShop:
    shop_id: str
    view: TikTokView
    skus: list[str]  # our seller SKUs, the warm-up one left out
    sku_ids: dict[str, str]  # seller SKU -> TikTok sku id
    multi: set[str]  # seller SKUs on a multi-SKU product


@dataclass
class SteadyRun:
    seconds: float
    coalesce_s: float
    poll_s: float = POLL_S
    setup: dict[str, float] = field(default_factory=dict)
    events: int = 0
    publish_s: float = 0.0  # first send -> last send
    acked_s: float = 0.0  # first send -> last ack
    behind_ms: float = 0.0  # the publisher's worst lateness against its schedule
    latencies: dict[str, list[float]] = field(default_factory=lambda: {k: [] for k in KINDS})  # seen - publish
    consumed: list[float] = field(default_factory=list)  # publish -> the check that saw the catalog commit it
    lower: list[float] = field(default_factory=list)  # previous round's start - publish (>= 0): a lower bound
    taken: list[float] = field(default_factory=list)  # publish -> the ListingUpdated saying TikTok took it
    bound_ms: list[float] = field(default_factory=list)  # per latency: how far it can be off
    overwritten: int = 0  # values replaced before any round saw them
    backwards: int = 0  # a round saw a SKU hold an older value than an earlier round did (must be 0)
    missing: int = 0  # SKUs not holding their last value at the end (must be 0)
    drain_s: float | None = None  # last send -> the round that saw every SKU hold its last value
    calls: dict[str, int] = field(default_factory=dict)  # shop -> inventory/update calls served
    rounds: int = 0
    get_ms: list[float] = field(default_factory=list)  # each shop's GET
    interval_ms: list[float] = field(default_factory=list)  # start to start of consecutive rounds
    measured_s: float = 0.0

    @property
    def rate(self) -> float:
        return (self.events - 1) / self.publish_s if self.publish_s else 0.0

    @property
    def seen(self) -> int:
        return sum(len(v) for v in self.latencies.values())

    @property
    def ok(self) -> bool:
        return self.events > 0 and not self.missing and not self.backwards


class Ledger:
    """Per TikTok sku id: when each value was handed to the producer, and the newest value seen held."""

    def __init__(self, shops: list[SteadyShop]) -> None:
        self.kind = {s.sku_ids[k]: KINDS[0] if k in s.multi else KINDS[1] for s in shops for k in s.skus}
        self.sent: dict[str, list[float]] = {sku_id: [] for sku_id in self.kind}
        self.shown = dict.fromkeys(self.kind, 0)
        self.uncommitted: list[tuple[int, int, float]] = []  # (partition, offset, publish time) of acked events
        self.confirmed: dict[str, int] = {}  # sku id -> the newest value a ListingUpdated said TikTok took

    def publish(self, sku_id: str) -> tuple[int, float]:
        """The SKU's next value, and now (its publish time)."""
        self.sent[sku_id].append(time.monotonic())
        return len(self.sent[sku_id]), self.sent[sku_id][-1]

    def observe(self, run: SteadyRun, held: dict[str, int], seen_at: float, lower_at: float) -> None:
        for sku_id, value in held.items():
            last = self.shown.get(sku_id)
            if last is None or value == last:
                continue
            if value < last:
                run.backwards += 1
                continue
            published = self.sent[sku_id][value - 1]
            run.latencies[self.kind[sku_id]].append(seen_at - published)
            run.lower.append(max(0.0, lower_at - published))
            run.bound_ms.append((seen_at - lower_at) * 1000)
            run.overwritten += value - last - 1
            self.shown[sku_id] = value

    def acked(self, published: float) -> Callable[[asyncio.Future[RecordMetadata]], None]:
        def done(ack: asyncio.Future[RecordMetadata]) -> None:
            if not ack.cancelled() and ack.exception() is None:
                self.uncommitted.append((ack.result().partition, ack.result().offset, published))
        return done

    def taken(self, run: SteadyRun) -> Callable[[str, int, float], None]:
        """Each value TikTok took (ListingUpdated), timed from its publish; superseded ones are not counted."""
        def on_update(sku_id: str, value: int, at: float) -> None:
            sent = self.sent.get(sku_id) or []
            if 1 <= value <= len(sent) and value > self.confirmed.get(sku_id, 0):
                self.confirmed[sku_id] = value
                run.taken.append(at - sent[value - 1])
        return on_update

    def all_taken(self) -> bool:
        return all(self.confirmed.get(s) == len(v) for s, v in self.sent.items() if v)

    def behind(self) -> int:
        """SKUs not (yet) seen holding their last value."""
        return sum(self.shown[s] != len(v) for s, v in self.sent.items())


async def _setup(stack: Stack, http: httpx.AsyncClient, producer: AIOKafkaProducer,
                 timings: dict[str, float]) -> list[SteadyShop]:
    catalog, sandbox = stack.url("catalog"), stack.url("sandbox")
    t = time.monotonic()
    shop_ids = [await connect_shop(stack, http) for _ in range(SHOPS)]
    timings[f"connect {SHOPS} shops (CLI)"] = time.monotonic() - t
    run = uuid.uuid4().hex[:6].upper()
    plan = {shop_id: [[f"ST-{run}-{n}-P{p:02d}-{k}" for k in range(SKUS_PER_PRODUCT)] for p in range(MULTI_PRODUCTS)]
            + [[f"ST-{run}-{n}-U{u:02d}"] for u in range(SINGLE_PRODUCTS)] + [[f"ST-{run}-{n}-WARMUP"]]
            for n, shop_id in enumerate(shop_ids)}
    products = [(shop_id, skus) for shop_id, listed in plan.items() for skus in listed]
    every_sku = [sku for _, skus in products for sku in skus]

    def listing(shop_id: str, skus: list[str]) -> Callable[[], Awaitable[dict[str, Any]]]:
        body = {"title": f"Bench {skus[0]}", "skus": [{"seller_sku": s, "price": "9.99", "quantity": 0} for s in skus]}
        return lambda: control(http, "POST", f"{sandbox}/sandbox/shops/{shop_id}/products", json=body)

    t = time.monotonic()
    created = await bounded(listing(shop_id, skus) for shop_id, skus in products)
    timings[f"{len(products)} listings, {len(every_sku)} SKUs in the sandbox (control calls)"] = time.monotonic() - t
    sku_ids = {s["seller_sku"]: str(s["id"]) for c in created for s in c["skus"]}

    def put(sku: str) -> Callable[[], Awaitable[None]]:
        async def call() -> None:
            answer = await http.put(f"{catalog}/products/{sku}", json={"title": f"Bench {sku}"})
            if answer.status_code != 200:
                raise RuntimeError(f"catalog PUT /products/{sku} -> {answer.status_code} {answer.text[:300]}")
        return call

    t = time.monotonic()
    await bounded(put(s) for s in every_sku)
    timings[f"our {len(every_sku)} SKUs into the catalog (PUT /products)"] = time.monotonic() - t

    t = time.monotonic()
    for shop_id, listed in plan.items():
        answer = stack.ttshop("--json", "catalog", "products", "import", shop_id, timeout=300)
        counts: dict[str, Any] = json.loads(answer.stdout)
        expected = sum(len(skus) for skus in listed)
        if counts.get("matched") != expected or counts.get("unmatched"):
            raise RuntimeError(f"import into {shop_id} matched {counts.get('matched')} of {expected} SKUs: {counts}")
    timings[f"product import per shop (`ttshop catalog products import`, {SHOPS}x)"] = time.monotonic() - t

    t = time.monotonic()
    for shop_id in shop_ids:
        stack.ttshop("shops", "settings", shop_id, "--allow-inventory-upload", "on")
    timings["inventory upload on per shop (`ttshop shops settings`)"] = time.monotonic() - t

    t = time.monotonic()
    probes = [listed[-1][0] for listed in plan.values()]
    await asyncio.gather(*(producer.send_and_wait(TOPIC, inventory_changed(p, 1, datetime.now(UTC)), key=p.encode())
                           for p in probes))
    await asyncio.gather(*(_until_uploaded(http, catalog, p) for p in probes))
    timings["warm-up change per shop end to end (switch seen, token, warehouse)"] = time.monotonic() - t
    return [SteadyShop(shop_id, TikTokView(http, sandbox, shop_id), [s for skus in listed[:-1] for s in skus],
                       {s: sku_ids[s] for skus in listed for s in skus},
                       {s for skus in listed[:-1] if len(skus) > 1 for s in skus})
            for shop_id, listed in plan.items()]


async def update_calls(http: httpx.AsyncClient, sandbox_url: str, shop_id: str) -> int:
    """inventory/update calls the sandbox has served for one shop so far."""
    data = await control(http, "GET", f"{sandbox_url}/sandbox/requests",
                         params={"path": "/product/202309/products/", "shop_id": shop_id})
    return sum(n for path, n in data["counts"].items() if path.endswith("/inventory/update"))


async def _publish(producer: AIOKafkaProducer, shops: list[SteadyShop], ledger: Ledger, run: SteadyRun) -> float:
    """Publish at :data:`RATE` for ``run.seconds``; answers the time of the last send."""
    rng = random.Random(SEED)
    acks: list[asyncio.Future[RecordMetadata]] = []
    t0 = last = time.monotonic()
    for n in range(round(run.seconds * RATE)):
        due = t0 + n / RATE
        if due > time.monotonic():
            await asyncio.sleep(due - time.monotonic())
        run.behind_ms = max(run.behind_ms, (time.monotonic() - due) * 1000)
        shop = shops[n % len(shops)]
        sku = rng.choice(shop.skus)
        value, last = ledger.publish(shop.sku_ids[sku])
        acks.append(await producer.send(TOPIC, inventory_changed(sku, value, datetime.now(UTC)), key=sku.encode()))
        acks[-1].add_done_callback(ledger.acked(last))
        run.events += 1
    run.publish_s = last - t0
    await asyncio.gather(*acks)
    run.acked_s = time.monotonic() - t0
    return last


async def _round(shops: list[SteadyShop], run: SteadyRun) -> list[tuple[dict[str, int], float, float]]:
    """One GET per shop, concurrently: (held, started, answered) per shop."""
    async def one(shop: SteadyShop) -> tuple[dict[str, int], float, float]:
        started = time.monotonic()
        held = await shop.view.quantities()
        answered = time.monotonic()
        run.get_ms.append((answered - started) * 1000)
        return held, started, answered
    return await asyncio.gather(*(one(s) for s in shops))


async def _watch(shops: list[SteadyShop], ledger: Ledger, run: SteadyRun, published: asyncio.Future[float]) -> None:
    """Rounds until publishing is over and every SKU holds its last value, or :data:`DRAIN_S` after that."""
    previous = {s.shop_id: started for s, (_, started, _) in zip(shops, await _round(shops, run), strict=True)}
    last_round: float | None = None
    while True:
        started = time.monotonic()
        if last_round is not None:
            run.interval_ms.append((started - last_round) * 1000)
        last_round = started
        answers = await _round(shops, run)
        run.rounds += 1
        for shop, (held, shop_started, answered) in zip(shops, answers, strict=True):
            ledger.observe(run, held, answered, previous[shop.shop_id])
            previous[shop.shop_id] = shop_started
        ended = time.monotonic()
        if published.done() and ((held_all := ledger.behind() == 0) or ended > published.result() + DRAIN_S):
            run.drain_s = ended - published.result() if held_all else None
            return
        interval = max(run.poll_s, (ended - started) / POLL_SHARE)
        await asyncio.sleep(max(0.0, started + interval - time.monotonic()))


async def _committed(progress: GroupProgress, ledger: Ledger, run: SteadyRun, published: asyncio.Future[float]) -> None:
    """Every :data:`COMMITTED_POLL_S`: which published events the catalog has consumed (committed)."""
    while not published.done() or (ledger.uncommitted and time.monotonic() < published.result() + DRAIN_S):
        if ledger.uncommitted:
            committed = await progress.committed(sorted({p for p, _, _ in ledger.uncommitted}))
            now, left = time.monotonic(), []
            for p, offset, at in ledger.uncommitted:
                if committed.get(p, -1) > offset:
                    run.consumed.append(now - at)
                else:
                    left.append((p, offset, at))
            ledger.uncommitted[:] = left
        await asyncio.sleep(COMMITTED_POLL_S)


async def run(stack: Stack, seconds: float = STEADY_S, *, on_measure_start: Callable[[], None] | None = None,
              on_measure_end: Callable[[], None] | None = None) -> SteadyRun:
    coalesce = stack.env.get("CATALOG_UPLOAD_COALESCE_S", CatalogSettings.model_fields["upload_coalesce_s"].default)
    result = SteadyRun(seconds, float(coalesce))
    sandbox_url = stack.url("sandbox")
    async with httpx.AsyncClient(timeout=120, headers=admin_headers(stack)) as http:
        producer = AIOKafkaProducer(bootstrap_servers=stack.bootstrap)
        progress = GroupProgress(stack.bootstrap, CATALOG_GROUP, TOPIC)
        await producer.start()
        await progress.start()
        try:
            shops = await _setup(stack, http, producer, result.setup)
            ledger = Ledger(shops)
            before = {s.shop_id: await update_calls(http, sandbox_url, s.shop_id) for s in shops}
            if on_measure_start is not None:
                on_measure_start()
            t = time.monotonic()
            published: asyncio.Future[float] = asyncio.get_running_loop().create_future()
            listing = await listing_events.start_at_end(stack.bootstrap)
            watchers = [asyncio.create_task(_watch(shops, ledger, result, published)),
                        asyncio.create_task(_committed(progress, ledger, result, published)),
                        asyncio.create_task(listing_events.follow(
                            listing, ledger.taken(result), lambda: published.done() and ledger.all_taken(),
                            deadline_s=seconds + DRAIN_S))]
            try:
                published.set_result(await _publish(producer, shops, ledger, result))
                await asyncio.gather(*watchers)
            finally:
                for task in watchers:
                    task.cancel()
            result.measured_s = time.monotonic() - t
            if on_measure_end is not None:
                on_measure_end()
            final = {sku_id: len(sent) for sku_id, sent in ledger.sent.items()}
            for shop in shops:  # a last look, after the round that saw every SKU hold its last value
                held = await shop.view.quantities()
                result.missing += sum(held[shop.sku_ids[sku]] != final[shop.sku_ids[sku]] for sku in shop.skus)
            result.calls = {s.shop_id: await update_calls(http, sandbox_url, s.shop_id) - before[s.shop_id]
                            for s in shops}
        finally:
            await progress.stop()
            await producer.stop()
    return result
