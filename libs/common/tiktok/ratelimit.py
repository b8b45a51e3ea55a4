"""Client-side rate limiting: a sliding window per (shop, endpoint).

TikTok allows ~50 QPS per API per (app, shop), counted over the last second, and answers 429
above it; waiting here first is cheaper than being refused. A token bucket would let a burst of
one second's worth go out on top of the refill (up to twice the limit inside one second), so the
client keeps the same kind of window TikTok does, a little wider (``margin_s``) for the jitter
between our send and TikTok's count. Limits are per process: with N replicas of a service, give
each ``default_qps / N`` (the 429 backoff in the client covers the rest).
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable

from libs.common import metrics

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


class SlidingWindow:
    """At most ``limit`` calls in any ``window_s`` (+ ``margin_s``), and at most ``burst`` in any ``burst``
    shares of it (default a fifth of the limit, at least 10), counted at the moments callers are let through: callers
    queue in arrival order (one lock), the first waits until both hold, and the time it is let through is
    the time recorded. A caller whose event loop woke it late is therefore counted late, so calls never
    bunch up closer than the window allows (a schedule of slots reserved ahead would let a late waker and
    an on-time one land inside TikTok's window together, and TikTok would refuse one of them). The burst
    share spreads a backlog's calls over the window instead of 50 back to back and then a pause, which
    halves the calls TikTok refuses when our send times and its count drift apart by a few milliseconds
    (bench, 1,000 calls in a row: 429s from 19–26 to 10–13); an idle shop's first calls still go at once."""

    def __init__(self, limit: int, window_s: float = 1.0, margin_s: float = 0.02, burst: int | None = None,
                 clock: Clock = time.monotonic, sleep: Sleep = asyncio.sleep) -> None:
        if limit < 1:
            raise ValueError(f"limit must be >= 1 call per window, got {limit}")
        self.limit, self.window_s = limit, window_s + margin_s
        self.burst = max(1, min(limit, burst if burst is not None else max(10, limit // 5)))
        self._clock, self._sleep = clock, sleep
        self._sent: deque[float] = deque()  # when the last ``limit`` callers were let through, ascending
        self._turn = asyncio.Lock()

    def wait_s(self) -> float:
        """How long a caller would wait now before it may send: until the call ``limit`` places back has left
        the window, and the call ``burst`` places back has left its share of it."""
        due = 0.0
        if len(self._sent) >= self.limit:
            due = self._sent[-self.limit] + self.window_s
        if len(self._sent) >= self.burst:
            due = max(due, self._sent[-self.burst] + self.window_s * self.burst / self.limit)
        return max(0.0, due - self._clock())

    async def acquire(self) -> None:
        async with self._turn:
            while (wait := self.wait_s()) > 0:
                await self._sleep(wait)
            self._sent.append(self._clock())
            if len(self._sent) > self.limit:
                self._sent.popleft()

    def is_full(self) -> bool:
        """True when no caller waits and every call has left the window (safe to drop: a new one behaves
        the same)."""
        return not self._turn.locked() and (not self._sent or self._sent[-1] + self.window_s <= self._clock())


class RateLimiter:
    """Lazily created :class:`SlidingWindow` per ``(shop_id or "", endpoint template)``.

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
        self._buckets: dict[tuple[str, str], SlidingWindow] = {}
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
            qps = self.qps_for(endpoint)
            limit = max(1, int(qps))  # 0.5 QPS: one call per 2 s
            bucket = SlidingWindow(limit, window_s=limit / qps, clock=self._clock, sleep=self._sleep)
            self._buckets[key] = bucket
        started = self._clock()
        await bucket.acquire()
        metrics.RATELIMIT_WAIT.labels(metrics.current_service(), endpoint).observe(max(0.0, self._clock() - started))

    def _maybe_sweep(self) -> None:
        now = self._clock()
        if now - self._last_sweep < self._sweep_interval_s and len(self._buckets) < self._max_buckets:
            return
        self._last_sweep = now
        for key in [k for k, b in self._buckets.items() if b.is_full()]:
            del self._buckets[key]
