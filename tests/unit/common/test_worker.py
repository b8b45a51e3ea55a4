"""DrainWorker: drains, wakes at once on wake(), never loses a wake-up, backs off on errors."""

from __future__ import annotations

import asyncio
import itertools

from libs.common.worker import Drain, DrainWorker, Every


class Queue(DrainWorker):
    def __init__(self) -> None:
        super().__init__(poll_s=30.0, max_backoff_s=0.05)
        self.items: list[int] = []
        self.handled: list[int] = []
        self.fail_next = 0

    async def run_once(self) -> int:
        if self.fail_next:
            self.fail_next -= 1
            raise ConnectionError("database down")
        batch, self.items = self.items[:2], self.items[2:]
        self.handled.extend(batch)
        return len(batch)


async def _until(predicate, timeout: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        assert asyncio.get_running_loop().time() < deadline
        await asyncio.sleep(0.005)


async def test_drains_everything_then_a_wake_up_starts_new_work_without_waiting_for_the_poll():
    worker = Queue()
    worker.items = [1, 2, 3, 4, 5]
    task = asyncio.create_task(worker.run())
    try:
        await _until(lambda: worker.handled == [1, 2, 3, 4, 5])
        worker.items.append(6)
        worker.wake()  # the poll is 30 s: only the wake-up can make this quick
        await _until(lambda: worker.handled[-1:] == [6], timeout=1.0)
    finally:
        task.cancel()


class Failing(Queue):
    """Fails its first passes, remembering when each pass started."""

    def __init__(self, *, poll_s: float, max_backoff_s: float) -> None:
        DrainWorker.__init__(self, poll_s=poll_s, max_backoff_s=max_backoff_s)
        self.items, self.handled, self.fail_next, self.started = [], [], 0, []

    async def run_once(self) -> int:
        self.started.append(asyncio.get_running_loop().time())
        return await super().run_once()


async def test_errors_back_off_doubling_up_to_the_cap_and_nothing_is_lost():
    worker = Failing(poll_s=0.1, max_backoff_s=0.4)
    worker.items = [1, 2]
    worker.fail_next = 4
    task = asyncio.create_task(worker.run())
    try:
        await _until(lambda: worker.handled == [1, 2])
        assert worker.fail_next == 0
    finally:
        task.cancel()
    gaps = [later - earlier for earlier, later in zip(worker.started, worker.started[1:], strict=False)][:4]
    # 0.1 s, then doubled, then held at the cap (a sleep never ends early; the margin is for timer rounding)
    assert [round(gap, 2) >= want for gap, want in zip(gaps, (0.1, 0.2, 0.4, 0.4), strict=True)] == [True] * 4, gaps
    assert gaps[3] < 0.4 * 2, gaps  # capped, not doubled again


async def test_drain_wraps_a_function_and_goes_again_while_it_finds_work():
    items = [1, 2, 3]
    handled: list[int] = []

    async def one() -> bool:
        if not items:
            return False
        handled.append(items.pop(0))
        return True

    worker = Drain(one, poll_s=30.0)
    task = asyncio.create_task(worker.run())
    try:
        await _until(lambda: handled == [1, 2, 3], timeout=1.0)  # poll is 30 s: it went again by itself
        items.append(4)
        worker.wake()
        await _until(lambda: handled == [1, 2, 3, 4], timeout=1.0)
    finally:
        task.cancel()


async def test_every_runs_its_pass_each_interval_and_at_once_when_woken():
    passes: list[float] = []

    async def tick() -> None:
        passes.append(asyncio.get_running_loop().time())

    worker = Every(tick, interval_s=0.05)
    task = asyncio.create_task(worker.run())
    try:
        await _until(lambda: len(passes) >= 3)
        assert all(b - a >= 0.045 for a, b in itertools.pairwise(passes)), passes  # waited the interval between passes
    finally:
        task.cancel()
    slow = Every(tick, interval_s=30.0)
    passes.clear()
    task = asyncio.create_task(slow.run())
    try:
        await _until(lambda: len(passes) == 1)
        slow.wake()  # the interval is 30 s: only the wake-up makes a second pass
        await _until(lambda: len(passes) == 2, timeout=1.0)
    finally:
        task.cancel()
