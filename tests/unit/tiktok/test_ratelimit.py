"""Sliding windows driven by a fake clock: the sleep advances the clock, so no real waiting."""

from __future__ import annotations

import asyncio

import pytest

from libs.common.tiktok.ratelimit import RateLimiter, SlidingWindow


class FakeTime:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, delay: float) -> None:
        self.slept.append(delay)
        self.now += delay


async def test_concurrent_waiters_are_given_their_own_slots_in_arrival_order() -> None:
    t = FakeTime()
    released: list[float] = []

    async def sleep(delay: float) -> None:  # real scheduling, fake time: record when each is due
        t.slept.append(delay)

    window = SlidingWindow(2, window_s=1.0, margin_s=0.0, clock=t.clock, sleep=sleep)

    async def one() -> None:
        released.append(window.reserve())

    await asyncio.gather(*(one() for _ in range(6)))
    assert released == pytest.approx([0.0, 0.0, 1.0, 1.0, 2.0, 2.0])


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
    assert t.slept == [pytest.approx(1.02)]  # TikTok's 1 s window and a margin for the jitter
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
    t.now += 1.1  # every window has passed
    await limiter.acquire("S-new", "/a")
    assert len(limiter) == 1


def test_bad_rates_are_refused() -> None:
    with pytest.raises(ValueError):
        SlidingWindow(0)
    with pytest.raises(ValueError):
        RateLimiter(default_qps=-1)


async def test_the_window_never_lets_more_than_the_limit_through_in_any_second() -> None:
    """TikTok counts calls over the last second: a burst of one second's worth goes out at once, and the
    next call waits until the first one has left the window (a token bucket would let twice as many through)."""
    t = FakeTime()
    window = SlidingWindow(50, clock=t.clock, sleep=t.sleep)
    sent: list[float] = []
    for i in range(200):
        t.now = i * 0.004  # callers arrive four times faster than the limit
        wait = window.reserve()
        sent.append(t.now + wait)
    assert sent[:50] == pytest.approx([i * 0.004 for i in range(50)])  # the burst is not held back
    assert sent[50] == pytest.approx(sent[0] + 1.02)
    for i in range(len(sent) - 50):
        assert sent[i + 50] - sent[i] >= 1.0  # any 51 calls span more than TikTok's window
    assert sent == sorted(sent)


async def test_a_fractional_rate_spaces_calls_out() -> None:
    t = FakeTime()
    limiter = RateLimiter(default_qps=0.5, clock=t.clock, sleep=t.sleep)
    await limiter.acquire("S1", "/a")
    await limiter.acquire("S1", "/a")
    assert t.slept == [pytest.approx(2.02)]
