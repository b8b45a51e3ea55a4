"""The watermarked import: what each pass reads, when the watermark moves, what a failure leaves, and that a
pass finding another importer running reads nothing. The session lock's connection is a fake that says whether
the lock is free; the watermarks are kept in memory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest

from libs.common.watermark import Span, Window, import_since_watermark

WINDOW = Window(overlap_s=300, initial_lookback_s=3600)
NOW = 1_000_000


class LockConnection:
    """Answers the advisory-lock statements of ``libs.common.db.session_lock``."""

    def __init__(self) -> None:
        self.held_elsewhere = False

    async def fetchval(self, sql: str, *args: Any) -> bool:
        assert "pg_try_advisory_lock" in sql
        return not self.held_elsewhere

    async def execute(self, sql: str, *args: Any) -> str:
        assert "advisory" in sql
        return "SELECT 1"


class Pool:
    def __init__(self) -> None:
        self.conn = LockConnection()

    @asynccontextmanager
    async def acquire(self) -> AsyncIterator[LockConnection]:
        yield self.conn


class MemoryMarks:
    def __init__(self) -> None:
        self.marks: dict[str, int] = {}
        self.errors: dict[str, str | None] = {}

    async def read(self, conn: Any, key: str, initial: int) -> int:
        return self.marks.setdefault(key, initial)

    async def save(self, conn: Any, key: str, mark: int, error: str | None) -> None:
        self.marks[key] = max(self.marks[key], mark)
        self.errors[key] = error


class Reader:
    def __init__(self, fail_with: Exception | None = None) -> None:
        self.spans: list[Span] = []
        self.fail_with = fail_with

    async def __call__(self, span: Span) -> None:
        self.spans.append(span)
        if self.fail_with is not None:
            raise self.fail_with


async def run(pool: Pool, marks: MemoryMarks, read: Reader, *, now: int = NOW, wait: bool = False) -> Span:
    return await import_since_watermark(pool, marks, WINDOW, lock="test.import", key="shop-1", read=read,
                                        wait=wait, now=now)


async def test_the_first_pass_reads_the_initial_lookback_and_the_next_reads_from_the_watermark_less_the_overlap():
    pool, marks, read = Pool(), MemoryMarks(), Reader()
    first = await run(pool, marks, read)
    assert first == Span(NOW - 3600 - 300, NOW + 1)  # up to and including this very second
    assert (marks.marks["shop-1"], marks.errors["shop-1"]) == (NOW, None)

    second = await run(pool, marks, read, now=NOW + 60)
    assert second == Span(NOW - 300, NOW + 61)  # this second read again, and what arrived late
    assert read.spans == [first, second]
    assert marks.marks["shop-1"] == NOW + 60


async def test_a_failed_pass_keeps_the_watermark_records_the_error_and_raises_it():
    pool, marks = Pool(), MemoryMarks()
    await run(pool, marks, Reader())
    with pytest.raises(ConnectionError):
        await run(pool, marks, Reader(ConnectionError("TikTok unreachable " + "x" * 2000)), now=NOW + 60)
    assert marks.marks["shop-1"] == NOW
    error = marks.errors["shop-1"]
    assert error is not None and error.startswith("ConnectionError: TikTok unreachable") and len(error) == 1000

    retried = Reader()
    await run(pool, marks, retried, now=NOW + 120)
    assert retried.spans == [Span(NOW - 300, NOW + 121)]  # the failed window is read again
    assert (marks.marks["shop-1"], marks.errors["shop-1"]) == (NOW + 120, None)


async def test_a_pass_finding_another_importer_running_reads_nothing_and_leaves_the_watermark():
    pool, marks, read = Pool(), MemoryMarks(), Reader()
    pool.conn.held_elsewhere = True
    skipped = await run(pool, marks, read)
    assert skipped.skipped and read.spans == [] and marks.marks == {}


async def test_an_operators_pass_waits_for_the_lock_instead_of_skipping():
    pool, marks, read = Pool(), MemoryMarks(), Reader()
    pool.conn.held_elsewhere = True  # only a try-lock would see it; waiting takes the lock when it is free
    span = await run(pool, marks, read, wait=True)
    assert not span.skipped and read.spans == [span]


async def test_the_window_never_starts_before_zero():
    pool, marks, read = Pool(), MemoryMarks(), Reader()
    assert (await run(pool, marks, read, now=100)).ge == 0
