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


async def test_concurrent_waiters_go_through_in_arrival_order() -> None:
    t = FakeTime()
    window = SlidingWindow(2, window_s=1.0, margin_s=0.0, burst=2, clock=t.clock, sleep=t.sleep)
    passed: list[tuple[int, float]] = []

    async def one(i: int) -> None:
        await window.acquire()
        passed.append((i, t.now))

    await asyncio.gather(*(one(i) for i in range(6)))
    assert [i for i, _ in passed] == list(range(6))
    assert [at - 1000 for _, at in passed] == pytest.approx([0.0, 0.0, 1.0, 1.0, 2.0, 2.0])


async def test_a_caller_woken_late_is_counted_when_it_went_so_no_two_bunch_inside_the_window() -> None:
    """The event loop wakes a waiter 0.3 s late: it is counted at 1.3 s, so the next ones wait for the window
    from then (with slots reserved ahead, the next would have gone at 2.0 s: two of the last three within
    0.7 s, and TikTok would refuse one)."""
    t = FakeTime()

    async def late_sleep(delay: float) -> None:
        t.slept.append(delay)
        t.now += delay + 0.3

    window = SlidingWindow(2, window_s=1.0, margin_s=0.0, burst=2, clock=t.clock, sleep=late_sleep)
    passed: list[float] = []
    for _ in range(6):
        await window.acquire()
        passed.append(t.now - 1000)
    assert passed == pytest.approx([0.0, 0.0, 1.3, 1.3, 2.6, 2.6])
    assert all(passed[i + 2] - passed[i] >= 1.0 for i in range(len(passed) - 2))


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
    t.now = 0.0
    window = SlidingWindow(50, burst=50, clock=t.clock, sleep=t.sleep)
    sent: list[float] = []
    for i in range(200):
        t.now = max(t.now, i * 0.004)  # callers arrive four times faster than the limit
        await window.acquire()
        sent.append(t.now)
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


async def test_a_backlog_is_spread_over_the_window_in_bursts_of_a_fifth_of_the_limit() -> None:
    """By default 10 of TikTok's 50 per second go at once, then the next 10 a fifth of the window later, so
    a backlog is not sent 50 back to back and then nothing (where a few ms of drift between our clock and
    TikTok's count get calls refused); the window's limit still holds."""
    t = FakeTime()
    t.now = 0.0
    window = SlidingWindow(50, clock=t.clock, sleep=t.sleep)
    sent: list[float] = []
    for _ in range(120):
        await window.acquire()
        sent.append(t.now)
    assert sent[:10] == [0.0] * 10  # an idle shop's first calls are not held back
    assert sent[10:20] == pytest.approx([0.204] * 10) and sent[50] == pytest.approx(1.02)
    for i in range(len(sent) - 50):
        assert sent[i + 50] - sent[i] >= 1.02 - 1e-9
    for i in range(len(sent) - 10):
        assert sent[i + 10] - sent[i] >= 0.204 - 1e-9
