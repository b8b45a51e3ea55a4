"""The leased retrying queue: what a failed call means, the backoff, giving up, holding for re-authorisation
(and not holding what a re-authorisation released while it was in flight), one transaction per unit, and
units in flight at once."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from libs.common.leased_queue import (
    NOT_AUTHORIZED,
    Failure,
    LeasedQueue,
    RetryPolicy,
    Verdict,
    failure_of,
    retry_delay_s,
)
from libs.common.tiktok.errors import AccessTokenInvalid, TikTokError, TikTokUnavailable
from libs.common.tiktok.tokens import ShopNotAuthorized, TokenServiceRejected
from tests.support.waiting import until


def test_retry_delay_doubles_from_the_first_and_is_capped() -> None:
    assert [retry_delay_s(n, initial_s=1.0, max_s=5.0) for n in (1, 2, 3, 4, 5)] == [1.0, 2.0, 4.0, 5.0, 5.0]
    assert retry_delay_s(10_000, initial_s=2, max_s=60) == 60  # no overflow however many attempts


def test_a_shop_not_authorised_or_a_refused_token_holds_the_work() -> None:
    held = failure_of(ShopNotAuthorized("S1", "needs re-authorisation"), call="the tracking upload")
    assert (held.verdict, held.code, held.called) == (Verdict.HOLD, NOT_AUTHORIZED, False)
    assert held.error == "shop S1 is not authorised: needs re-authorisation; held until the shop is authorised again"
    refused = failure_of(AccessTokenInvalid(105001, "revoked", path="/p"), call="the price update")
    assert (refused.verdict, refused.code, refused.called) == (Verdict.HOLD, NOT_AUTHORIZED, True)


def test_transient_trouble_is_retried_and_a_refusal_fails_with_tiktoks_code() -> None:
    auth = failure_of(TokenServiceRejected("auth said 401"), call="x")
    assert (auth.verdict, auth.error, auth.code, auth.called) == (
        Verdict.RETRY, "auth said 401; retrying", "token_service_rejected", False)
    down = failure_of(TikTokUnavailable("connection reset", path="/p"), call="x")
    assert (down.verdict, down.error, down.code, down.called) == (
        Verdict.RETRY, "TikTok unavailable (-1): connection reset; retrying", "-1", True)
    no = failure_of(TikTokError(21011001, "bad tracking number", path="/p"), call="the tracking upload")
    assert (no.verdict, no.code, no.called) == (Verdict.FAIL, "21011001", True)
    assert no.error == "TikTok refused the tracking upload (21011001): bad tracking number"
    bug = failure_of(KeyError("sku"), call="x")
    assert (bug.verdict, bug.error, bug.code, bug.called) == (Verdict.RETRY, "internal error: KeyError: 'sku'",
                                                              None, False)


def test_a_retry_past_the_last_attempt_fails_and_a_hold_is_never_given_up() -> None:
    policy = RetryPolicy(max_attempts=3, backoff_initial_s=1, backoff_max_s=10, recheck_s=60)
    down = Failure(Verdict.RETRY, "TikTok unavailable", "-1", called=True)
    assert policy.settle(down, attempts=1) is down
    assert policy.settle(down, attempts=2) == Failure(
        Verdict.FAIL, "gave up after 3 attempts; last error: TikTok unavailable", "-1", called=True)
    held = Failure(Verdict.HOLD, "held")
    assert policy.settle(held, attempts=1_000) is held


# --- the queue, over an in-memory table --------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    name: str
    attempts: int = 0
    group: str = ""


@dataclass(frozen=True)
class Sent:
    status: str
    error: str | None = None


@dataclass
class Settings:
    upload_poll_s: float = 30.0
    upload_batch_size: int = 10
    upload_lease_s: float = 60.0
    upload_max_attempts: int = 3
    upload_backoff_initial_s: float = 2.0
    upload_backoff_max_s: float = 60.0
    authorization_recheck_s: float = 60.0


class Conn:
    def __init__(self, log: list[str]) -> None:
        self.log = log

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        self.log.append("begin")
        yield
        self.log.append("commit")


class Pool:
    def __init__(self) -> None:
        self.log: list[str] = []

    @contextlib.asynccontextmanager
    async def acquire(self) -> AsyncIterator[Conn]:
        yield Conn(self.log)


@dataclass
class Table:
    due: list[Row] = field(default_factory=list)
    answers: dict[str, Any] = field(default_factory=dict)  # row name -> Sent, Failure or an exception
    released_in_flight: set[str] = field(default_factory=set)  # rows a re-authorisation overtook


class Queue(LeasedQueue[Row, Sent]):
    """A specialisation that records what the queue asks of it, as the pool's log (one log: the order shows)."""

    def __init__(self, table: Table, settings: Settings | None = None, *, in_flight: bool = False) -> None:
        self.pool, self.table, self.woken_relay = Pool(), table, 0
        super().__init__(pool=self.pool, settings=settings or Settings(), wake_relay=self._relay,
                         in_flight=in_flight)

    def _relay(self) -> None:
        self.woken_relay += 1

    async def claim(self, conn: Any, *, limit: int, lease_s: float) -> list[Row]:
        claimed, self.table.due = self.table.due[:limit], self.table.due[limit:]
        return claimed

    async def due_in_s(self, conn: Any) -> float | None:
        return None

    def group(self, claimed: list[Row]) -> list[list[Row]]:
        groups: dict[str, list[Row]] = {}
        for row in claimed:
            groups.setdefault(row.group or row.name, []).append(row)
        return list(groups.values())

    def log_fields(self, unit: list[Row]) -> dict[str, Any]:
        return {"rows": [r.name for r in unit]}

    async def attempt(self, unit: list[Row]) -> list[Sent | Failure]:
        answers = [self.table.answers.get(r.name, Sent("uploaded")) for r in unit]
        for answer in answers:
            if isinstance(answer, Exception):
                raise answer
        return answers

    def failed(self, failure: Failure) -> Sent:
        return Sent("failed", failure.error)

    async def hold(self, conn: Conn, item: Row, failure: Failure, *, recheck_s: float) -> bool:
        conn.log.append(f"hold {item.name} {recheck_s:g}s: {failure.error}")
        return item.name not in self.table.released_in_flight

    async def retry(self, conn: Conn, item: Row, failure: Failure, *, delay_s: float) -> None:
        conn.log.append(f"retry {item.name} in {delay_s:g}s: {failure.error}")

    async def finish(self, conn: Conn, done: list[tuple[Row, Sent]]) -> bool:
        conn.log.extend(f"finish {row.name} {sent.status}" + (f": {sent.error}" if sent.error else "")
                        for row, sent in done)
        return any(sent.status == "uploaded" for _, sent in done)

    async def settled(self, conn: Conn, unit: list[Row], results: list[Sent | Failure]) -> None:
        conn.log.append(f"settled {len(results)}")


async def test_each_unit_is_recorded_in_one_transaction_and_a_publish_wakes_the_relay() -> None:
    table = Table(due=[Row("a1", group="A"), Row("a2", group="A"), Row("b")],
                  answers={"a2": Sent("skipped", "listing not active"), "b": Sent("not_uploaded", "switch off")})
    queue = Queue(table)
    assert await queue.run_once() == 3
    assert queue.pool.log == ["begin", "commit",  # the claim
                              "begin", "finish a1 uploaded", "finish a2 skipped: listing not active", "settled 2",
                              "commit",
                              "begin", "finish b not_uploaded: switch off", "settled 1", "commit"]
    assert queue.woken_relay == 1  # only unit A published


async def test_transient_trouble_is_retried_with_backoff_counted_then_given_up() -> None:
    down = Failure(Verdict.RETRY, "TikTok unavailable")
    table = Table(due=[Row("r", attempts=0), Row("s", attempts=1), Row("t", attempts=2)],
                  answers={"r": down, "s": down, "t": down})
    queue = Queue(table)
    await queue.run_once()
    assert [line for line in queue.pool.log if line not in ("begin", "commit", "settled 1")] == [
        "retry r in 2s: TikTok unavailable",
        "retry s in 4s: TikTok unavailable",
        "finish t failed: gave up after 3 attempts; last error: TikTok unavailable",
    ]
    assert queue.woken_relay == 0


async def test_a_crashed_attempt_loses_nothing_it_is_retried_as_an_internal_error() -> None:
    queue = Queue(Table(due=[Row("x")], answers={"x": ConnectionResetError("database went away")}))
    await queue.run_once()
    assert "retry x in 2s: internal error: ConnectionResetError: database went away" in queue.pool.log


async def test_held_work_waits_uncounted_unless_a_re_authorisation_released_it_while_in_flight() -> None:
    """The hold asks the repo, which sees whether the shop's release overtook the claim: then the row is due at
    once (nothing counted, nothing given up), not held for the recheck interval."""
    refused = Failure(Verdict.HOLD, "token revoked; held until the shop is authorised again", NOT_AUTHORIZED)
    table = Table(due=[Row("held", attempts=5), Row("overtaken", attempts=5)],
                  answers={"held": refused, "overtaken": refused}, released_in_flight={"overtaken"})
    queue = Queue(table, Settings(upload_max_attempts=3, authorization_recheck_s=60))
    await queue.run_once()
    asked = [line for line in queue.pool.log if line.startswith(("hold", "retry", "finish"))]
    assert asked == ["hold held 60s: token revoked; held until the shop is authorised again",
                     "hold overtaken 60s: token revoked; held until the shop is authorised again"]


async def test_in_flight_units_do_not_wait_for_each_other_and_stay_within_the_batch_size() -> None:
    slow_may_finish = asyncio.Event()
    order: list[str] = []

    class Slow(Queue):
        async def attempt(self, unit: list[Row]) -> list[Sent | Failure]:
            if unit[0].name == "slow":
                await slow_may_finish.wait()
            order.append(unit[0].name)
            return await super().attempt(unit)

    queue = Slow(Table(due=[Row("slow"), Row("fast"), Row("later")]), Settings(upload_batch_size=2),
                 in_flight=True)
    assert await queue.run_once() == 2  # two calls in flight: the batch is full, "later" waits
    while queue.table.due:  # a slot frees when the fast call ends: "later" goes without waiting for the slow one
        await asyncio.wait_for(queue.run_once(), timeout=5)
    await asyncio.wait_for(_until(lambda: order == ["fast", "later"]), timeout=5)
    slow_may_finish.set()
    await asyncio.wait_for(queue.drain(), timeout=5)
    assert order == ["fast", "later", "slow"]


async def _until(condition: Any) -> None:
    async def holds() -> bool:
        return bool(condition())

    await until(holds, timeout_s=5, every_s=0.001)


@pytest.mark.parametrize("in_flight", [False, True])
async def test_run_drains_what_is_due_then_a_wake_up_starts_new_work(in_flight: bool) -> None:
    table = Table(due=[Row("a"), Row("b")])
    queue = Queue(table, Settings(upload_batch_size=1), in_flight=in_flight)
    task = asyncio.create_task(queue.run())
    try:
        await asyncio.wait_for(_until(lambda: queue.pool.log.count("finish b uploaded") == 1), timeout=5)
        table.due.append(Row("c"))
        queue.wake()  # the poll is 30 s: only the wake-up can make this quick
        await asyncio.wait_for(_until(lambda: "finish c uploaded" in queue.pool.log), timeout=5)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
