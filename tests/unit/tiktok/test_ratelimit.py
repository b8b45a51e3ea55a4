"""Token buckets driven by a fake clock: the sleep advances the clock, so no real waiting."""

from __future__ import annotations

import asyncio

import pytest

from libs.common.tiktok.ratelimit import RateLimiter, TokenBucket


class FakeTime:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, delay: float) -> None:
        self.slept.append(delay)
        self.now += delay


async def test_bucket_allows_a_burst_then_paces_at_rate() -> None:
    t = FakeTime()
    bucket = TokenBucket(rate=10, capacity=10, clock=t.clock, sleep=t.sleep)
    for _ in range(10):
        await bucket.acquire()
    assert t.slept == [] and t.now == 1000.0
    for _ in range(20):
        await bucket.acquire()
    # 30 calls at 10/s with a burst of 10: the last one goes out 2 s after the first
    assert t.now == pytest.approx(1002.0)


async def test_bucket_refills_with_time() -> None:
    t = FakeTime()
    bucket = TokenBucket(rate=2, capacity=2, clock=t.clock, sleep=t.sleep)
    await bucket.acquire()
    await bucket.acquire()
    t.now += 0.5  # one permit back
    await bucket.acquire()
    assert t.slept == []
    await bucket.acquire()
    assert t.slept == [pytest.approx(0.5)]


async def test_concurrent_waiters_are_spread_out_not_released_together() -> None:
    t = FakeTime()
    released: list[float] = []

    async def sleep(delay: float) -> None:  # real scheduling, fake time: record when each is due
        t.slept.append(delay)

    bucket = TokenBucket(rate=5, capacity=1, clock=t.clock, sleep=sleep)

    async def one() -> None:
        await bucket.acquire()
        released.append(t.slept[-1] if t.slept else 0.0)

    await asyncio.gather(*(one() for _ in range(5)))
    assert sorted(released) == pytest.approx([0.0, 0.2, 0.4, 0.6, 0.8])


async def test_limiter_keys_by_shop_and_endpoint_with_overrides() -> None:
    t = FakeTime()
    limiter = RateLimiter(default_qps=2, per_endpoint={"/slow": 1}, clock=t.clock, sleep=t.sleep)
    for _ in range(2):
        await limiter.acquire("S1", "/a")
        await limiter.acquire("S2", "/a")  # another shop has its own budget
        await limiter.acquire("S1", "/b")  # another endpoint too
    assert t.slept == []
    await limiter.acquire(None, "/slow")
    await limiter.acquire(None, "/slow")
    assert t.slept == [pytest.approx(1.0)]
    assert limiter.qps_for("/slow") == 1 and limiter.qps_for("/a") == 2


async def test_limiter_drops_idle_buckets() -> None:
    t = FakeTime()
    limiter = RateLimiter(default_qps=50, clock=t.clock, sleep=t.sleep, sweep_interval_s=60)
    for shop in range(100):
        await limiter.acquire(f"S{shop}", "/a")
    assert len(limiter) == 100
    t.now += 61
    await limiter.acquire("S-new", "/a")
    assert len(limiter) == 1


async def test_limiter_bounds_bucket_count_even_within_the_sweep_interval() -> None:
    t = FakeTime()
    limiter = RateLimiter(default_qps=50, clock=t.clock, sleep=t.sleep, max_buckets=10)
    for shop in range(10):
        await limiter.acquire(f"S{shop}", "/a")
    t.now += 1  # all refilled
    await limiter.acquire("S-new", "/a")
    assert len(limiter) == 1


def test_bad_rates_are_refused() -> None:
    with pytest.raises(ValueError):
        TokenBucket(rate=0)
    with pytest.raises(ValueError):
        RateLimiter(default_qps=-1)
