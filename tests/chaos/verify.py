"""The checks at the end of a chaos run, made from outside: the sandbox's control API (what TikTok holds)
and plain Kafka consumers on the public topics (what a WMS sees). Waits for quiet first: until every
check passes or the quiet timeout ends, then reports what still differs."""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import httpx

from tests.chaos.load import INPUT_TOPICS, Ledger, control
from tests.support.topics import read_topic
from tests.support.waiting import until


@dataclass
class Figures:
    rows: dict[str, int | str] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures


async def _tiktok_orders(http: httpx.AsyncClient, sandbox: str, order_ids: list[str]) -> dict[str, dict[str, Any]]:
    gate = asyncio.Semaphore(16)

    async def one(order_id: str) -> tuple[str, dict[str, Any]]:
        async with gate:
            return order_id, await control(http, "GET", f"{sandbox}/sandbox/orders/{order_id}")

    return dict(await asyncio.gather(*(one(o) for o in order_ids)))


async def _stock_on_tiktok(http: httpx.AsyncClient, sandbox: str, shops: list[str]) -> tuple[dict[str, int],
                                                                                             dict[str, Decimal]]:
    quantities: dict[str, int] = {}
    prices: dict[str, Decimal] = {}
    for shop in shops:
        listed = await control(http, "GET", f"{sandbox}/sandbox/shops/{shop}/products")
        for product in listed["products"]:
            for sku in product["skus"]:
                quantities[sku["seller_sku"]] = sum(int(i["quantity"]) for i in sku["inventory"])
                prices[sku["seller_sku"]] = Decimal(sku["price"]["sale_price"])
    return quantities, prices


async def check(ledger: Ledger, http: httpx.AsyncClient, sandbox: str, bootstrap: str, shops: list[str]) -> Figures:
    f = Figures()
    placed = ledger.orders
    held = {o for o, p in placed.items() if p.kind == "on_hold"}
    lost = sorted(set(placed) - set(ledger.downloaded))
    doubled = sorted(o for o, ids in ledger.downloaded.items() if len(ids) > 1)
    early = sorted(o for o in held if o in ledger.downloaded_at and (placed[o].released_at is None
                                                                     or ledger.downloaded_at[o] < placed[o].released_at))
    f.rows |= {"orders placed": len(placed), "orders on orders.downloaded": len(set(placed) & set(ledger.downloaded)),
               "orders lost": len(lost), "orders with more than one distinct OrderDownloaded": len(doubled),
               "orders handed to the WMS while ON_HOLD": len(early),
               "OrderDownloaded redeliveries (same event id again)":
                   ledger.deliveries - sum(len(ids) for ids in ledger.downloaded.values())}
    _fail(f, lost, "orders lost")
    _fail(f, doubled, "orders downloaded twice")
    _fail(f, early, "orders handed to the WMS while ON_HOLD")

    shipped = dict(ledger.shipped)  # the WMS goes on shipping while this looks
    tiktok = await _tiktok_orders(http, sandbox, sorted(shipped))
    untracked = sorted(o for o, number in shipped.items() if number not in json.dumps(tiktok[o]))
    twice = sorted(o for o, held_order in tiktok.items() if len(held_order.get("package_details") or []) > 1)
    f.rows |= {"shipments sent (WMS and by hand)": len(shipped), "of them sent again": ledger.shipments_resent,
               "shipments with their tracking on TikTok": len(shipped) - len(untracked),
               "orders shipped twice on TikTok": len(twice)}
    _fail(f, untracked, "shipments whose tracking never reached TikTok")
    _fail(f, twice, "orders shipped twice on TikTok")

    detected: dict[str, set[str]] = {}
    for record in await read_topic(bootstrap, "orders.cancellation-detected"):
        event = json.loads(record.value)
        detected.setdefault(event["data"]["order_id"], set()).add(event["id"])
    cancelled = set(ledger.cancelled)
    missing = sorted(o for o in cancelled if o not in detected)
    repeated = sorted(o for o in cancelled if len(detected.get(o, ())) > 1)
    f.rows |= {"buyer cancellations": len(cancelled),
               "cancellations with exactly one CancellationDetected": len(cancelled) - len(missing) - len(repeated)}
    _fail(f, missing, "cancellations never detected")
    _fail(f, repeated, "cancellations detected more than once")

    quantities, prices = await _stock_on_tiktok(http, sandbox, shops)
    wrong_stock = sorted(s for s, (_, q) in ledger.newest_stock.items() if quantities.get(s) != q)
    wrong_price = sorted(s for s, (_, a) in ledger.newest_price.items() if prices.get(s) != a)
    f.rows |= {"stock / price events sent": f"{ledger.stock_events} / {ledger.price_events} "
                                            f"({ledger.duplicated_events} duplicated, {ledger.reordered_events} older "
                                            "than one already sent)",
               "SKUs whose TikTok stock is not the newest event's": len(wrong_stock),
               "SKUs whose TikTok price is not the newest event's": len(wrong_price)}
    _fail(f, wrong_stock, "SKUs with the wrong stock on TikTok")
    _fail(f, wrong_price, "SKUs with the wrong price on TikTok")

    sent = sum(len(m) for m in ledger.malformed.values())
    parked = 0
    for topic in INPUT_TOPICS:
        dead = {r.key.decode(): dict(r.headers) for r in await read_topic(bootstrap, f"{topic}.dlq") if r.key}
        found = {m for m in ledger.malformed.get(topic, ()) if dead.get(m, {}).get("x-dlq-reason")}
        parked += len(found)
        _fail(f, sorted(ledger.malformed.get(topic, set()) - found), f"malformed events on {topic} not in its DLQ")
    f.rows |= {"malformed events sent / in the DLQ with a reason": f"{sent} / {parked}"}
    return f


def _fail(f: Figures, items: list[str], what: str) -> None:
    if items:
        f.failures.append(f"{len(items)} {what}: {', '.join(items[:5])}{' …' if len(items) > 5 else ''}")


async def until_quiet(ledger: Ledger, http: httpx.AsyncClient, sandbox: str, bootstrap: str, shops: list[str],
                      timeout_s: float) -> tuple[Figures, float]:
    """Check every few seconds until everything holds or ``timeout_s`` passed: (figures, seconds waited)."""
    started = time.monotonic()
    last: list[Figures] = []

    async def settled() -> bool:
        last[:] = [await check(ledger, http, sandbox, bootstrap, shops)]
        return last[0].ok

    try:
        await until(settled, timeout_s=timeout_s, every_s=3, what="every check")
    except TimeoutError:
        pass  # the figures say what still differs
    return last[0], time.monotonic() - started
