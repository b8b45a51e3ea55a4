"""Client-side rate limiting: a token bucket per (shop, endpoint).

TikTok allows ~50 QPS per API per (app, shop) and answers 429 above it; waiting here first
is cheaper than being refused. Limits are per process: with N replicas of a service, give
each ``default_qps / N`` (the 429 backoff in the client covers the rest).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


class TokenBucket:
    """``rate`` permits per second, bursts up to ``capacity`` (default: one second's worth).

    ``acquire`` reserves its permit synchronously (the bucket may go into debt) and then
    sleeps until the permit is due, so waiters are served in arrival order without a lock
    and without busy-polling.
    """

    def __init__(
        self,
        rate: float,
        capacity: float | None = None,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        if rate <= 0:
            raise ValueError(f"rate must be > 0 permits/s, got {rate}")
        self.rate = float(rate)
        self.capacity = float(capacity) if capacity is not None else max(1.0, self.rate)
        if self.capacity < 1:
            raise ValueError(f"capacity must be >= 1, got {capacity}")
        self._clock = clock
        self._sleep = sleep
        self._tokens = self.capacity
        self._updated = clock()

    def _refill(self) -> None:
        now = self._clock()
        elapsed = max(0.0, now - self._updated)
        self._tokens = min(self.capacity, self._tokens + elapsed * self.rate)
        self._updated = now

    def reserve(self) -> float:
        """Take one permit now; return how many seconds the caller must wait before using it."""
        self._refill()
        self._tokens -= 1.0
        return 0.0 if self._tokens >= 0 else -self._tokens / self.rate

    async def acquire(self) -> None:
        wait = self.reserve()
        if wait <= 0:
            return
        try:
            await self._sleep(wait)
        except asyncio.CancelledError:
            self._tokens += 1.0  # give the unused permit back
            raise

    def is_full(self) -> bool:
        """True when the bucket is indistinguishable from a new one (safe to drop)."""
        self._refill()
        return self._tokens >= self.capacity


class RateLimiter:
    """Lazily created :class:`TokenBucket` per ``(shop_id or "", endpoint template)``.

    ``per_endpoint`` overrides the QPS of given endpoint templates. Memory stays bounded:
    every ``sweep_interval_s`` (or when more than ``max_buckets`` exist) buckets that have
    refilled completely are dropped; a dropped bucket is recreated full, so nothing is lost.
    """

    def __init__(
        self,
        default_qps: float = 50.0,
        per_endpoint: dict[str, float] | None = None,
        *,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        sweep_interval_s: float = 60.0,
        max_buckets: int = 10_000,
    ) -> None:
        if default_qps <= 0:
            raise ValueError(f"default_qps must be > 0, got {default_qps}")
        self.default_qps = float(default_qps)
        self.per_endpoint = dict(per_endpoint or {})
        self._clock = clock
        self._sleep = sleep
        self._sweep_interval_s = sweep_interval_s
        self._max_buckets = max_buckets
        self._buckets: dict[tuple[str, str], TokenBucket] = {}
        self._last_sweep = clock()

    def qps_for(self, endpoint: str) -> float:
        return self.per_endpoint.get(endpoint, self.default_qps)

    def __len__(self) -> int:
        return len(self._buckets)

    async def acquire(self, shop_id: str | None, endpoint: str) -> None:
        """Wait until one more call to ``endpoint`` for ``shop_id`` is within the limit."""
        self._maybe_sweep()
        key = (shop_id or "", endpoint)
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = TokenBucket(self.qps_for(endpoint), clock=self._clock, sleep=self._sleep)
            self._buckets[key] = bucket
        await bucket.acquire()

    def _maybe_sweep(self) -> None:
        now = self._clock()
        if now - self._last_sweep < self._sweep_interval_s and len(self._buckets) < self._max_buckets:
            return
        self._last_sweep = now
        for key in [k for k, b in self._buckets.items() if b.is_full()]:
            del self._buckets[key]
