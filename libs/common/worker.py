"""A background worker that drains due work, then sleeps until woken, until the next item falls
due, or until its poll interval — whichever comes first. Used by the services' upload workers.

``wake()`` is called after a commit that created work (e.g. from ``runtime.on_after_commit``), so
work starts at once; the poll is only the safety net. The wake flag is cleared *before* each pass,
so a wake-up that arrives during a pass is not lost. Database trouble backs off (capped), never
hot-loops, and loses nothing: the work stays in its table.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import structlog

log = structlog.get_logger(__name__)


class DrainWorker:
    def __init__(self, *, poll_s: float, max_backoff_s: float = 30.0) -> None:
        self._poll_s = poll_s
        self._max_backoff_s = max_backoff_s
        self._wake = asyncio.Event()

    def wake(self) -> None:
        self._wake.set()

    async def run_once(self) -> int:
        """Handle the work that is due now; return how many items were handled."""
        raise NotImplementedError

    async def next_due_in_s(self) -> float | None:
        """Seconds until the earliest not-yet-due item falls due (None: nothing waiting)."""
        return None

    async def run(self) -> None:
        first_backoff = min(self._poll_s, self._max_backoff_s)
        backoff = first_backoff
        while True:
            self._wake.clear()
            try:
                done = await self.run_once()
                wait_s = 0.0 if done else await self._idle_wait_s()
                backoff = first_backoff
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - database trouble: nothing is lost, retry later
                log.warning("worker pass failed; will retry", worker=type(self).__name__,
                            error=f"{type(exc).__name__}: {exc}", retry_in_s=backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, self._max_backoff_s)
                continue
            if wait_s <= 0:
                continue
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=wait_s)
            except TimeoutError:
                pass

    async def _idle_wait_s(self) -> float:
        due_in = await self.next_due_in_s()
        return self._poll_s if due_in is None else min(self._poll_s, max(due_in, 0.005))


class Drain(DrainWorker):
    """Drain ``work()`` (it returns how many items it handled, or whether it handled any) until it finds none,
    then wait until woken or ``poll_s``."""

    def __init__(self, work: Callable[[], Awaitable[int | bool]], *, poll_s: float, max_backoff_s: float = 30.0) -> None:
        super().__init__(poll_s=poll_s, max_backoff_s=max_backoff_s)
        self._work = work

    async def run_once(self) -> int:
        return int(await self._work())


class Every(DrainWorker):
    """Run ``work()`` once every ``interval_s`` (at once when woken): a periodic pass such as a token refresh
    or a reconciliation poll."""

    def __init__(self, work: Callable[[], Awaitable[object]], *, interval_s: float, max_backoff_s: float = 30.0) -> None:
        super().__init__(poll_s=interval_s, max_backoff_s=max_backoff_s)
        self._work = work

    async def run_once(self) -> int:
        await self._work()
        return 0
