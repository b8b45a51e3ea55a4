"""What an operator does through the `ttshop` CLI while everything fails: ships some orders by hand
(`ttshop orders ship`, the WMS hands them over), retried with the same tracking until a call goes through
(a repeat is the same shipment, so a retry after a lost answer ships nothing twice); runs range
downloads (`ttshop orders download SHOP --from … --to …`) over the run so far, which must add no
duplicate; and posts ready products one by one (`ttshop catalog products post SKU --shop S`), again after
a failed call (the post keeps its idempotency key) and sometimes again after it went through (refused:
already on TikTok), so each must be exactly one TikTok product in the end. A call that fails (a service
killed, the database paused, TikTok down) is tried again later, as an operator would."""

from __future__ import annotations

import asyncio
import random
import subprocess
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import httpx

from tests.chaos.load import Ledger, control
from tests.chaos.stack import ChaosStack

RETRY_S = 3.0


@dataclass
class OperatorFigures:
    shipped_by_hand: int = 0
    range_downloads: int = 0
    posted: int = 0
    posted_again_refused: int = 0  # a post of a product already on TikTok, refused as it should be
    cli_calls_failed: int = 0  # a part was down: tried again later
    pending: list[str] = field(default_factory=list)
    last_refusal: str = ""  # what the CLI said the last time a call did not go through


ALREADY_POSTED = "is already TikTok product"


class Operator:
    def __init__(self, stack: ChaosStack, ledger: Ledger, shops: list[str], rng: random.Random, *,
                 post_shop: str, to_post: list[str]) -> None:
        self.stack, self.ledger, self.shops, self.rng = stack, ledger, shops, rng
        self.figures = OperatorFigures()
        self._ships: list[tuple[float, str, str]] = []  # (when, order id, tracking)
        self._started = datetime.now(UTC)
        self.post_shop, self._to_post = post_shop, list(to_post)
        self.posted: list[str] = []

    def hand_over(self, order_id: str) -> None:
        """The WMS leaves this order to be shipped by hand; its tracking is decided now and kept."""
        tracking = f"1Z{uuid.uuid4().hex[:16].upper()}"
        self.ledger.shipped[order_id] = tracking
        self._ships.append((time.monotonic() + self.rng.uniform(0.5, 3.0), order_id, tracking))

    async def run(self, stop: asyncio.Event, done: asyncio.Event, download_every_s: float, post_every_s: float) -> None:
        next_download = time.monotonic() + download_every_s
        next_post = time.monotonic() + post_every_s
        while not done.is_set():
            now = time.monotonic()
            due = [s for s in self._ships if s[0] <= now]
            self._ships = [s for s in self._ships if s[0] > now]
            for _, order_id, tracking in due:
                if (await self._cli("orders", "ship", order_id, "--carrier", "UPS", "--tracking", tracking))[0]:
                    self.figures.shipped_by_hand += 1
                else:
                    self._ships.append((time.monotonic() + RETRY_S, order_id, tracking))
            if not stop.is_set() and now >= next_download:
                next_download = now + download_every_s
                await self._range_download()
            if self._to_post and (now >= next_post or stop.is_set()):  # the rest go once the load stops
                next_post = now + post_every_s
                await self._post()
            try:
                await asyncio.wait_for(done.wait(), 0.5)
            except TimeoutError:
                pass
        self.figures.pending = [order_id for _, order_id, _ in self._ships] + self._to_post

    async def _post(self) -> None:
        if self.posted and self.rng.random() < 0.15:  # again, after it went through: refused, nothing created
            ok, out = await self._cli("catalog", "products", "post", self.rng.choice(self.posted),
                                      "--shop", self.post_shop)
            self.figures.posted_again_refused += not ok and ALREADY_POSTED in out
            return
        sku = self._to_post[0]
        ok, out = await self._cli("catalog", "products", "post", sku, "--shop", self.post_shop)
        if ok or ALREADY_POSTED in out:  # the earlier call went through although its answer was lost
            self._to_post.pop(0)
            self.posted.append(sku)
            self.figures.posted += 1

    async def _range_download(self) -> None:
        shop = self.rng.choice(self.shops)
        start = (self._started - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%S")
        end = (datetime.now(UTC) + timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%S")
        if (await self._cli("orders", "download", shop, "--from", start, "--to", end, "--no-wait"))[0]:
            self.figures.range_downloads += 1

    async def _cli(self, *args: str) -> tuple[bool, str]:
        """(went through, what it printed)."""
        try:
            done = await asyncio.to_thread(self.stack.ttshop, *args, timeout=60)
        except (RuntimeError, OSError, subprocess.TimeoutExpired) as exc:  # refused, or what it calls is down
            self.figures.cli_calls_failed += ALREADY_POSTED not in str(exc)
            self.figures.last_refusal = " ".join(str(exc).split())[:400]
            return False, str(exc)
        return True, done.stdout

    @property
    def posts_left(self) -> int:
        return len(self._to_post)


async def listed_once(http: httpx.AsyncClient, sandbox: str, shop: str, skus: list[str]) -> dict[str, int]:
    """How many TikTok products hold each posted SKU on the shop (each must be exactly 1)."""
    listed = await control(http, "GET", f"{sandbox}/sandbox/shops/{shop}/products")
    held = Counter(sku["seller_sku"] for product in listed["products"] for sku in product["skus"])
    return {sku: held.get(sku, 0) for sku in skus}

