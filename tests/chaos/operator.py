"""What an operator does through the `ttshop` CLI while everything fails: ships some orders by hand
(`ttshop orders ship`, the WMS hands them over), retried with the same tracking until a call goes through
(a repeat is the same shipment, so a retry after a lost answer ships nothing twice), and runs range
downloads (`ttshop orders download SHOP --from … --to …`) over the run so far, which must add no
duplicate. A call that fails (a service killed, the database paused) is tried again later, as an operator
would."""

from __future__ import annotations

import asyncio
import random
import subprocess
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from tests.chaos.load import Ledger
from tests.chaos.stack import ChaosStack

RETRY_S = 3.0


@dataclass
class OperatorFigures:
    shipped_by_hand: int = 0
    range_downloads: int = 0
    cli_calls_failed: int = 0  # tried again later
    pending: list[str] = field(default_factory=list)


class Operator:
    def __init__(self, stack: ChaosStack, ledger: Ledger, shops: list[str], rng: random.Random) -> None:
        self.stack, self.ledger, self.shops, self.rng = stack, ledger, shops, rng
        self.figures = OperatorFigures()
        self._ships: list[tuple[float, str, str]] = []  # (when, order id, tracking)
        self._started = datetime.now(UTC)

    def hand_over(self, order_id: str) -> None:
        """The WMS leaves this order to be shipped by hand; its tracking is decided now and kept."""
        tracking = f"1Z{uuid.uuid4().hex[:16].upper()}"
        self.ledger.shipped[order_id] = tracking
        self._ships.append((time.monotonic() + self.rng.uniform(0.5, 3.0), order_id, tracking))

    async def run(self, stop: asyncio.Event, done: asyncio.Event, download_every_s: float) -> None:
        next_download = time.monotonic() + download_every_s
        while not done.is_set():
            now = time.monotonic()
            due = [s for s in self._ships if s[0] <= now]
            self._ships = [s for s in self._ships if s[0] > now]
            for _, order_id, tracking in due:
                if not await self._cli("orders", "ship", order_id, "--carrier", "UPS", "--tracking", tracking):
                    self._ships.append((time.monotonic() + RETRY_S, order_id, tracking))
                else:
                    self.figures.shipped_by_hand += 1
            if not stop.is_set() and now >= next_download:
                next_download = now + download_every_s
                await self._range_download()
            try:
                await asyncio.wait_for(done.wait(), 0.5)
            except TimeoutError:
                pass
        self.figures.pending = [order_id for _, order_id, _ in self._ships]

    async def _range_download(self) -> None:
        shop = self.rng.choice(self.shops)
        start = (self._started - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%S")
        end = (datetime.now(UTC) + timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%S")
        if await self._cli("orders", "download", shop, "--from", start, "--to", end, "--no-wait"):
            self.figures.range_downloads += 1

    async def _cli(self, *args: str) -> bool:
        try:
            await asyncio.to_thread(self.stack.ttshop, *args, timeout=60)
        except (RuntimeError, OSError, subprocess.TimeoutExpired):  # the service it calls is down: later
            self.figures.cli_calls_failed += 1
            return False
        return True
