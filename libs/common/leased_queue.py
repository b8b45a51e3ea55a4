"""The leased retrying queue: work kept in a table, claimed with a lease, sent to TikTok outside any
transaction, and its outcome recorded in one transaction with the events it publishes (outbox).

Both upload workers are this queue (fulfillment's tracking, catalog's stock and price levels); each keeps its
rows, its calls and every SQL statement in its own repo, and this module knows none of their tables:

* a pass claims what is due (``FOR UPDATE SKIP LOCKED`` plus a lease, so replicas never send the same row at
  once and a crashed worker's claim simply expires) and attempts each *unit* (the rows that go in one call);
* an attempt ends each row in a result the specialisation records (:meth:`LeasedQueue.finish`), or in a
  :class:`Failure`, and the queue decides what happens to it:

  - ``HOLD``: the shop is not authorised. The row waits, not counted and never given up, until the shop is
    authorised again (its release makes held rows due) or ``recheck_s`` has passed. A release that came while
    the row was in flight found nothing held; the repo's hold sees that (the row changed since its claim) and
    makes the row due at once instead of holding it;
  - ``RETRY``: transient. Again after a capped exponential backoff, counted, until ``max_attempts``; then it
    fails ("gave up after N attempts; last error: …");
  - ``FAIL``: refused for good, recorded like any finished row;
* an attempt that crashes (a bug, an outage) is a ``RETRY`` ("internal error: …"): nothing is lost.
"""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any, Generic, Protocol, TypeVar

import asyncpg
import structlog

from libs.common.tiktok.errors import TikTokError
from libs.common.tiktok.tokens import AUTHORIZATION_PROBLEMS, TokenServiceRejected
from libs.common.worker import DrainWorker

log = structlog.get_logger(__name__)

#: ``Failure.code`` of work held because the shop is not authorised.
NOT_AUTHORIZED = "not_authorized"
#: What a call may raise that :func:`failure_of` tells apart (anything else is an internal error).
CALL_PROBLEMS: tuple[type[Exception], ...] = (*AUTHORIZATION_PROBLEMS, TokenServiceRejected, TikTokError)


class Verdict(StrEnum):
    HOLD = "hold"  # the shop is not authorised: wait for it, uncounted
    RETRY = "retry"  # transient: again after a backoff, counted
    FAIL = "fail"  # refused for good


@dataclass(frozen=True)
class Failure:
    """Why an attempt did not go through: what the queue does about it, the message an operator reads, a
    stable code, and whether TikTok answered (a call that counts against its limit)."""

    verdict: Verdict
    error: str
    code: str | None = None
    called: bool = False


def failure_of(exc: Exception, *, call: str) -> Failure:
    """What a failed call means; ``call`` names it in a refusal ("the tracking upload")."""
    if isinstance(exc, AUTHORIZATION_PROBLEMS):
        return Failure(Verdict.HOLD, f"{exc}; held until the shop is authorised again", NOT_AUTHORIZED,
                       called=isinstance(exc, TikTokError))
    if isinstance(exc, TokenServiceRejected):
        return Failure(Verdict.RETRY, f"{exc}; retrying", "token_service_rejected")
    if isinstance(exc, TikTokError):
        if exc.transient:
            return Failure(Verdict.RETRY, f"TikTok unavailable ({exc.code}): {exc.message}; retrying",
                           str(exc.code), called=True)
        return Failure(Verdict.FAIL, f"TikTok refused {call} ({exc.code}): {exc.message}", str(exc.code),
                       called=True)
    return Failure(Verdict.RETRY, f"internal error: {type(exc).__name__}: {exc}")


def retry_delay_s(attempts: int, *, initial_s: float, max_s: float) -> float:
    """Capped exponential backoff after ``attempts`` transient failures (1 -> ``initial_s``)."""
    return float(min(max_s, initial_s * 2.0 ** min(max(attempts - 1, 0), 30)))


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int
    backoff_initial_s: float
    backoff_max_s: float
    recheck_s: float  # how long held work waits when no re-authorisation releases it

    def delay_s(self, attempts: int) -> float:
        return retry_delay_s(attempts, initial_s=self.backoff_initial_s, max_s=self.backoff_max_s)

    def settle(self, failure: Failure, *, attempts: int) -> Failure:
        """``failure`` of a row that failed ``attempts`` times before: a retry past the last attempt fails."""
        tried = attempts + 1
        if failure.verdict is Verdict.RETRY and tried >= self.max_attempts:
            return replace(failure, verdict=Verdict.FAIL,
                           error=f"gave up after {tried} attempts; last error: {failure.error}")
        return failure


class UploadSettings(Protocol):
    """The settings of an upload queue (the services' settings classes have these fields)."""

    upload_poll_s: float
    upload_batch_size: int
    upload_lease_s: float
    upload_max_attempts: int
    upload_backoff_initial_s: float
    upload_backoff_max_s: float
    authorization_recheck_s: float


class Queued(Protocol):
    @property
    def attempts(self) -> int: ...


class Finished(Protocol):
    @property
    def status(self) -> str: ...

    @property
    def error(self) -> str | None: ...


Item = TypeVar("Item", bound=Queued)
Result = TypeVar("Result", bound=Finished)


class LeasedQueue(DrainWorker, ABC, Generic[Item, Result]):
    """A :class:`DrainWorker` over a leased table. A specialisation says how to claim, call and record (its
    SQL in its repo); the queue claims, guards the attempt, decides hold / retry / give up and records every
    outcome of a unit in one transaction, then wakes the outbox relay if an event was published.

    Units run one after the other, or (``in_flight``) each as its own task without waiting for the ones
    before, at most ``upload_batch_size`` at a time: then a call never waits behind a slow call of another shop,
    and a claimed row is leased, so a pass never takes a row already in flight.
    """

    def __init__(self, *, pool: asyncpg.Pool, settings: UploadSettings, wake_relay: Callable[[], None],
                 in_flight: bool = False) -> None:
        super().__init__(poll_s=settings.upload_poll_s)
        self._pool = pool
        self._batch_size = settings.upload_batch_size
        self._lease_s = settings.upload_lease_s
        self._retry = RetryPolicy(settings.upload_max_attempts, settings.upload_backoff_initial_s,
                                  settings.upload_backoff_max_s, settings.authorization_recheck_s)
        self._wake_relay = wake_relay
        self._concurrent = in_flight
        self._in_flight: set[asyncio.Task[None]] = set()

    # --- what a specialisation provides --------------------------------------------------------------------

    @abstractmethod
    async def claim(self, conn: asyncpg.Connection, *, limit: int, lease_s: float) -> list[Item]:
        """Lease up to ``limit`` units' worth of due rows for ``lease_s``."""

    @abstractmethod
    async def due_in_s(self, conn: asyncpg.Connection) -> float | None:
        """Seconds until the earliest row not due yet falls due (None: nothing waits)."""

    def group(self, claimed: list[Item]) -> list[list[Item]]:
        """The units of the claimed rows (rows that go in one call); default: each row alone."""
        return [[item] for item in claimed]

    @abstractmethod
    async def attempt(self, unit: list[Item]) -> list[Result | Failure]:
        """Call TikTok for the unit; one result per row, in order."""

    @abstractmethod
    def failed(self, failure: Failure) -> Result:
        """A failure for good as a result to record (refused, or given up)."""

    @abstractmethod
    async def hold(self, conn: asyncpg.Connection, item: Item, failure: Failure, *, recheck_s: float) -> bool:
        """Hold the row until the shop is authorised again (uncounted); False when the row changed since its
        claim (released by a re-authorisation meanwhile) and is due at once instead."""

    @abstractmethod
    async def retry(self, conn: asyncpg.Connection, item: Item, failure: Failure, *, delay_s: float) -> None:
        """Count the failed attempt and make the row due again after ``delay_s``."""

    @abstractmethod
    async def finish(self, conn: asyncpg.Connection, done: list[tuple[Item, Result]]) -> bool:
        """Record the unit's finished rows and the events they publish; True when an event was published."""

    async def settled(self, conn: asyncpg.Connection, unit: list[Item], results: list[Result | Failure]) -> None:
        """After a unit's outcomes are recorded, in the same transaction (e.g. count the call)."""

    @abstractmethod
    def log_fields(self, unit: list[Item]) -> dict[str, Any]:
        """What the unit's log lines are about (shop, order, product…)."""

    # --- the queue -----------------------------------------------------------------------------------------

    async def next_due_in_s(self) -> float | None:
        async with self._pool.acquire() as conn:
            return await self.due_in_s(conn)

    async def run_once(self) -> int:
        """Claim what is due and attempt each unit; returns how many rows were claimed."""
        free = self._batch_size - len(self._in_flight)
        if free <= 0:
            await asyncio.wait(self._in_flight, return_when=asyncio.FIRST_COMPLETED)
            return 1  # a call finished: look again at once
        async with self._pool.acquire() as conn, conn.transaction():
            claimed = await self.claim(conn, limit=free, lease_s=self._lease_s)
        for unit in self.group(claimed):
            if not self._concurrent:
                await self._upload(unit)
                continue
            task = asyncio.create_task(self._upload(unit))
            self._in_flight.add(task)
            task.add_done_callback(self._finished)
        return len(claimed)

    async def run(self) -> None:
        try:
            await super().run()
        finally:  # stopping: calls in flight end here; their leased rows are taken up again when the lease ends
            for task in list(self._in_flight):
                task.cancel()

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._in_flight.discard(task)
        self.wake()  # the unit's rows are free again, and a slot too

    async def drain(self) -> None:
        """Wait for the calls in flight (tests, shutdown)."""
        while self._in_flight:
            await asyncio.wait(self._in_flight)

    async def _upload(self, unit: list[Item]) -> None:
        bound = log.bind(**self.log_fields(unit))
        try:
            results = await self.attempt(unit)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - a bug or an outage must not lose the work: retry later
            bound.exception("upload attempt crashed; will retry")
            results = [failure_of(exc, call="the call")] * len(unit)
        outcomes = await self._record(unit, results)
        level = bound.warning if "failed" in outcomes else bound.info
        level("upload attempt finished", outcomes=dict(Counter(outcomes)), attempt=unit[0].attempts + 1,
              errors=sorted({r.error for r in results if r.error})[:3])

    async def _record(self, unit: list[Item], results: list[Result | Failure]) -> list[str]:
        """Every outcome of the unit, in one transaction; what became of each row."""
        outcomes: list[str] = []
        done: list[tuple[Item, Result]] = []
        async with self._pool.acquire() as conn, conn.transaction():
            for item, result in zip(unit, results, strict=True):
                if isinstance(result, Failure):
                    failure = self._retry.settle(result, attempts=item.attempts)
                    if failure.verdict is not Verdict.FAIL:
                        outcomes.append(await self._wait(conn, item, failure))
                        continue
                    result = self.failed(failure)
                done.append((item, result))
                outcomes.append(result.status)
            published = await self.finish(conn, done) if done else False
            await self.settled(conn, unit, results)
        if published:
            self._wake_relay()
        return outcomes

    async def _wait(self, conn: asyncpg.Connection, item: Item, failure: Failure) -> str:
        if failure.verdict is Verdict.RETRY:
            await self.retry(conn, item, failure, delay_s=self._retry.delay_s(item.attempts + 1))
            return Verdict.RETRY.value
        if await self.hold(conn, item, failure, recheck_s=self._retry.recheck_s):
            return Verdict.HOLD.value
        return "due again"  # the shop was re-authorised while the attempt was in flight

