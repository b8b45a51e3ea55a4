"""A watermarked import, written once: per key (a shop), under a session lock (one importer across replicas),
read the stored watermark, fetch the window from the watermark less an overlap up to now, apply it, and
advance the watermark. A failure keeps the watermark, so the window is read again next time (applying must be
idempotent), and is recorded on the watermark row.

Used by the orders reconciliation poll (orders by update time) and the settlements import (statements by
statement time). The watermark table of each has a text key, a bigint mark, a "last run" timestamp,
``last_error`` and ``updated_at``: :class:`WatermarkTable` names them.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

import asyncpg

from libs.common.db import session_lock

#: How much of an error's text is kept on the watermark row.
ERROR_CHARS = 1000


@dataclass(frozen=True)
class Window:
    """Each pass reads from the watermark less ``overlap_s`` (what arrived late); a key seen for the first time
    from ``initial_lookback_s`` before now."""

    overlap_s: int
    initial_lookback_s: int


@dataclass(frozen=True)
class Span:
    """What one pass read: ``ge <= t < lt``; ``skipped`` when another importer was running for the key."""

    ge: int
    lt: int
    skipped: bool = False


#: The span of a pass that has not run yet.
NOT_RUN = Span(0, 0)


class Marks(Protocol):
    async def read(self, conn: asyncpg.Connection, key: str, initial: int) -> int:
        """The key's watermark, created at ``initial`` for a key imported the first time."""

    async def save(self, conn: asyncpg.Connection, key: str, mark: int, error: str | None) -> None:
        """Record a pass: the watermark (never moved back) and its error (None: it succeeded)."""


@dataclass(frozen=True)
class WatermarkTable:
    """The SQL of a watermark table: ``key`` (primary key), ``mark`` (bigint), ``ran_at`` (the last pass)."""

    table: str
    mark: str
    ran_at: str
    key: str = "shop_id"

    async def read(self, conn: asyncpg.Connection, key: str, initial: int) -> int:
        await conn.execute(
            f"INSERT INTO {self.table} ({self.key}, {self.mark}) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            key, initial,
        )
        value: int = await conn.fetchval(f"SELECT {self.mark} FROM {self.table} WHERE {self.key} = $1", key)
        return value

    async def save(self, conn: asyncpg.Connection, key: str, mark: int, error: str | None) -> None:
        await conn.execute(
            f"UPDATE {self.table} SET {self.mark} = greatest({self.mark}, $2), {self.ran_at} = now(),"
            f" last_error = $3, updated_at = now() WHERE {self.key} = $1",
            key, mark, error,
        )


async def import_since_watermark(
    pool: asyncpg.Pool, marks: Marks, window: Window, *, lock: str, key: str,
    read: Callable[[Span], Awaitable[None]], wait: bool = False, now: int | None = None,
) -> Span:
    """Run ``read(span)`` for ``key`` over the window since its watermark, then advance the watermark.

    One importer per (``lock``, ``key``) across replicas; without ``wait`` a pass finding another running is
    skipped (nothing read), with ``wait`` (an operator's import) it waits for it. The span is
    ``[watermark - overlap, now + 1)`` so what changed during this very second is read now, and the watermark
    saved is ``now``, so the next pass reads that second again. ``read`` raising keeps the watermark, records
    the error on its row, and the error goes on to the caller.
    """
    current = int(now if now is not None else time.time())
    async with session_lock(pool, lock, key, wait=wait) as conn:
        if conn is None:
            return Span(0, current + 1, skipped=True)
        mark = await marks.read(conn, key, current - window.initial_lookback_s)
        span = Span(max(0, mark - window.overlap_s), current + 1)
        try:
            await read(span)
        except Exception as exc:
            await marks.save(conn, key, mark, f"{type(exc).__name__}: {exc}"[:ERROR_CHARS])
            raise
        await marks.save(conn, key, current, None)
    return span
