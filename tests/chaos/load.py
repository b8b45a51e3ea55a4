"""The mixed load of a chaos run, each part remembering what it did so the checks can compare:
orders placed in the sandbox (one by one and in bulk; normal, replacement, FBT, ON_HOLD, PayPal),
buyer cancellations, stock and price changes from an upstream producer (duplicated and reordered),
a fake WMS reading ``orders.downloaded`` and publishing ``ShipmentCreated`` (some sent twice), and
malformed or schema-violating events on every input topic."""

from __future__ import annotations

import asyncio
import json
import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.errors import KafkaError

from libs.common.events import new_event
from libs.common.events.base import EventData
from libs.common.events.inventory import InventoryChanged, PriceChanged
from libs.common.events.shipments import ShipmentCreated

SOURCE = "tests/chaos"
INPUT_TOPICS = ("inventory.changed", "price.changed", "shipments.created")


async def control(http: httpx.AsyncClient, method: str, url: str, **kwargs: Any) -> dict[str, Any]:
    answer = await http.request(method, url, **kwargs)
    body = answer.json()
    if body.get("code") != 0:
        raise RuntimeError(f"sandbox {method} {url}: {body}")
    return body["data"]  # type: ignore[no-any-return]


@dataclass
class Placed:
    order_id: str
    shop_id: str
    kind: str  # normal | replacement | fbt | on_hold | paypal | bulk
    released_at: float | None = None  # ON_HOLD: when it was let go (time.time())


@dataclass
class Ledger:
    """What the load did, for the checks."""

    orders: dict[str, Placed] = field(default_factory=dict)
    downloaded: dict[str, set[str]] = field(default_factory=dict)  # order id -> distinct event ids
    deliveries: int = 0  # OrderDownloaded records read (redeliveries of one event id included)
    downloaded_at: dict[str, float] = field(default_factory=dict)  # first sight (time.time())
    shipped: dict[str, str] = field(default_factory=dict)  # order id -> tracking number sent
    shipments_resent: int = 0
    cancelled: set[str] = field(default_factory=set)  # buyer cancellations TikTok accepted (before we shipped)
    newest_stock: dict[str, tuple[datetime, int]] = field(default_factory=dict)
    newest_price: dict[str, tuple[datetime, Decimal]] = field(default_factory=dict)
    stock_events: int = 0
    price_events: int = 0
    duplicated_events: int = 0
    reordered_events: int = 0
    malformed: dict[str, set[str]] = field(default_factory=dict)  # topic -> markers of the bad events sent


class Producer:
    def __init__(self, bootstrap: str) -> None:
        self._producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", request_timeout_ms=60_000)

    async def start(self) -> None:
        await self._producer.start()

    async def stop(self) -> None:
        await self._producer.stop()

    async def send(self, data: EventData, *, again: bytes | None = None) -> bytes:
        raw = again or new_event(data, source=SOURCE).to_bytes()
        await self.send_raw(data.topic, raw, data.key().encode())
        return raw

    async def send_raw(self, topic: str, raw: bytes, key: bytes) -> None:
        """Until the broker has it (a paused broker times a send out): the same bytes again, as a producer
        that must not lose an event does; the consumers' inbox drops the copies of one event id."""
        for attempt in range(20):
            try:
                await self._producer.send_and_wait(topic, raw, key=key)
                return
            except KafkaError:
                await asyncio.sleep(min(5.0, 0.5 * (attempt + 1)))
        raise RuntimeError(f"the broker never took an event for {topic}")


class Orders:
    """Orders placed in the sandbox at a steady pace, of every kind; some bought in bulk."""

    def __init__(self, http: httpx.AsyncClient, sandbox: str, shops: list[str], ledger: Ledger,
                 rng: random.Random) -> None:
        self.http, self.sandbox, self.shops, self.ledger, self.rng = http, sandbox, shops, ledger, rng

    async def run(self, stop: asyncio.Event, every_s: float) -> None:
        n = 0
        while not stop.is_set():
            n += 1
            shop = self.rng.choice(self.shops)
            try:
                await self._one(shop, n)
            except (httpx.HTTPError, RuntimeError):
                pass  # the sandbox is this run's TikTok: it is not faulted from this side
            await _pause(stop, every_s)
        for placed in self.ledger.orders.values():  # every order must reach the WMS in the end
            if placed.kind == "on_hold" and placed.released_at is None:
                await self.release(placed)

    async def _one(self, shop: str, n: int) -> None:
        roll = self.rng.random()
        line = {"seller_sku": f"CHAOS-ORDER-{n % 7}", "quantity": 1 + n % 3, "unit_price": "12.50"}
        if roll < 0.08:
            made = await control(self.http, "POST", f"{self.sandbox}/sandbox/shops/{shop}/orders/bulk",
                                 json={"count": 10, "lines": [line]})
            for order_id in made["order_ids"]:
                self.ledger.orders[order_id] = Placed(order_id, shop, "bulk")
            return
        body: dict[str, Any] = {"lines": [line]}
        kind = "normal"
        earlier = [p for p in self.ledger.orders.values() if p.shop_id == shop and p.kind == "normal"]
        if roll < 0.16 and earlier:
            kind, body["replacement_of"] = "replacement", self.rng.choice(earlier).order_id
        elif roll < 0.24:
            kind, body["fulfillment_type"] = "fbt", "FULFILLMENT_BY_TIKTOK"
        elif roll < 0.32:
            kind, body["on_hold"] = "on_hold", True
        elif roll < 0.40:
            kind, body["payment_method"] = "paypal", "PayPal"
        order = await control(self.http, "POST", f"{self.sandbox}/sandbox/shops/{shop}/orders", json=body)
        self.ledger.orders[order["id"]] = Placed(order["id"], shop, kind)
        held = [p for p in self.ledger.orders.values() if p.kind == "on_hold" and p.released_at is None]
        if kind != "on_hold" and held and self.rng.random() < 0.5:
            await self.release(held[0])

    async def release(self, placed: Placed) -> None:
        """The ON_HOLD window ends: TikTok moves the order to AWAITING_SHIPMENT."""
        placed.released_at = time.time()
        await control(self.http, "POST", f"{self.sandbox}/sandbox/orders/{placed.order_id}/status",
                      json={"status": "AWAITING_SHIPMENT"})


class Wms:
    """Reads ``orders.downloaded`` as a WMS would; ships each seller-fulfilled order a moment later
    (``ShipmentCreated``, 10 % of them sent twice with the same event id, 5 % as a second event), and
    has the buyer cancel some before they ship; 5 % are handed to the operator to ship by hand."""

    def __init__(self, bootstrap: str, producer: Producer, http: httpx.AsyncClient, sandbox: str, ledger: Ledger,
                 rng: random.Random, hand_over: Callable[[str], None]) -> None:
        self.bootstrap, self.producer, self.http, self.sandbox = bootstrap, producer, http, sandbox
        self.ledger, self.rng, self.hand_over = ledger, rng, hand_over
        self._to_ship: list[tuple[float, str, str]] = []

    async def run(self, stop: asyncio.Event, done: asyncio.Event) -> None:
        consumer = AIOKafkaConsumer("orders.downloaded", bootstrap_servers=self.bootstrap, group_id=None,
                                    auto_offset_reset="earliest", enable_auto_commit=False)
        await consumer.start()
        try:
            while not done.is_set():
                batches = await consumer.getmany(timeout_ms=200, max_records=500)
                for records in batches.values():
                    for record in records:
                        self._seen(json.loads(record.value), stop)
                await self._ship_due(stop)
        finally:
            await consumer.stop()

    def _seen(self, event: dict[str, Any], stop: asyncio.Event) -> None:
        data = event["data"]
        order_id = data["order_id"]
        self.ledger.deliveries += 1
        ids = self.ledger.downloaded.setdefault(order_id, set())
        first = not ids
        ids.add(event["id"])
        if first:
            self.ledger.downloaded_at[order_id] = time.time()
            if data.get("fulfillment_type") == "SELLER":  # TikTok ships its own (FBT)
                self._to_ship.append((time.monotonic() + self.rng.uniform(0.5, 3.0), data["shop_id"], order_id))

    async def _ship_due(self, stop: asyncio.Event) -> None:
        now = time.monotonic()
        due = [s for s in self._to_ship if s[0] <= now]
        self._to_ship = [s for s in self._to_ship if s[0] > now]
        for _, shop_id, order_id in due:
            if not stop.is_set() and self.rng.random() < 0.08 and await self._buyer_cancels(order_id):
                continue
            if self.rng.random() < 0.05:
                self.hand_over(order_id)
                continue
            tracking = f"9400{uuid.uuid4().int % 10**18:018d}"
            data = ShipmentCreated(shop_id=shop_id, order_id=order_id, shipment_id=f"SHP-{order_id}", carrier="USPS",
                                   tracking_number=tracking, shipped_at=datetime.now(UTC))
            raw = await self.producer.send(data)
            self.ledger.shipped[order_id] = tracking
            if self.rng.random() < 0.10:
                await self.producer.send(data, again=raw)  # the same event id again (a WMS retry)
                self.ledger.shipments_resent += 1
            elif self.rng.random() < 0.05:
                await self.producer.send(data)  # the same shipment as a second event
                self.ledger.shipments_resent += 1

    async def _buyer_cancels(self, order_id: str) -> bool:
        answer = await self.http.post(f"{self.sandbox}/sandbox/orders/{order_id}/status", json={"status": "CANCELLED"})
        if answer.json().get("code") == 0:
            self.ledger.cancelled.add(order_id)
            return True
        return False


class Stock:
    """``InventoryChanged`` / ``PriceChanged`` for the listed SKUs, 5 % sent twice, 5 % arriving after a
    newer change of the same SKU (an older ``occurred_at``, which must lose)."""

    def __init__(self, producer: Producer, skus: list[str], ledger: Ledger, rng: random.Random) -> None:
        self.producer, self.skus, self.ledger, self.rng = producer, skus, ledger, rng
        self._clock = datetime.now(UTC)

    async def run(self, stop: asyncio.Event, every_s: float) -> None:
        while not stop.is_set():
            sku = self.rng.choice(self.skus)
            self._clock += timedelta(milliseconds=1)
            at = self._clock
            if self.rng.random() < 0.05:
                self.ledger.reordered_events += 1
                at -= timedelta(seconds=self.rng.uniform(0.5, 5))  # older than what was already sent
            if self.rng.random() < 0.5:
                await self._stock(sku, at)
            else:
                await self._price(sku, at)
            await _pause(stop, every_s)

    async def _stock(self, sku: str, at: datetime) -> None:
        data = InventoryChanged(seller_sku=sku, available=self.rng.randrange(0, 500), occurred_at=at)
        raw = await self.producer.send(data)
        self.ledger.stock_events += 1
        if sku not in self.ledger.newest_stock or self.ledger.newest_stock[sku][0] < at:
            self.ledger.newest_stock[sku] = (at, data.available)
        if self.rng.random() < 0.05:
            await self.producer.send(data, again=raw)
            self.ledger.duplicated_events += 1

    async def _price(self, sku: str, at: datetime) -> None:
        amount = Decimal(self.rng.randrange(500, 5000)) / 100
        data = PriceChanged(seller_sku=sku, amount=amount, currency="USD", occurred_at=at)
        raw = await self.producer.send(data)
        self.ledger.price_events += 1
        if sku not in self.ledger.newest_price or self.ledger.newest_price[sku][0] < at:
            self.ledger.newest_price[sku] = (at, amount)
        if self.rng.random() < 0.05:
            await self.producer.send(data, again=raw)
            self.ledger.duplicated_events += 1


async def malformed(producer: Producer, ledger: Ledger) -> None:
    """On every input topic: bytes that are not JSON, an event of the wrong type, and one whose data breaks
    the contract (a quantity TikTok cannot hold, a blank order id); each carries a marker the DLQ check finds."""
    for topic in INPUT_TOPICS:
        marks = ledger.malformed.setdefault(topic, set())
        for shape in ("not-json", "wrong-type", "bad-data"):
            mark = f"chaos-bad-{shape}-{uuid.uuid4().hex[:8]}"
            event = {"specversion": "1.0", "id": mark, "source": SOURCE, "type": "InventoryChanged",
                     "datacontenttype": "application/json"}
            if topic == "inventory.changed":
                event["data"] = {"seller_sku": mark, "available": 10**9, "occurred_at": datetime.now(UTC).isoformat()}
            elif topic == "price.changed":
                event["data"] = {"seller_sku": mark, "amount": "-1", "currency": "USD",
                                 "occurred_at": datetime.now(UTC).isoformat()}
            else:
                event.update(type="ShipmentCreated", data={"order_id": "", "shop_id": mark})
            if shape == "wrong-type":
                event["type"] = "OrderDownloaded"
            raw = f"{mark} {{not json".encode() if shape == "not-json" else json.dumps(event).encode()
            await producer.send_raw(topic, raw, key=mark.encode())
            marks.add(mark)


async def _pause(stop: asyncio.Event, seconds: float) -> None:
    try:
        await asyncio.wait_for(stop.wait(), seconds)
    except TimeoutError:
        pass
