"""What a service may forget: the records kept only so a repeat is recognised (the inbox of consumed event
ids, the TikTok notifications acted on), once they are older than any repeat can be.

A consumed event's id must be kept for as long as the event can come again (a redelivery, a replayed dead
letter): ``<SERVICE>_RETENTION_DAYS`` (30 by default) must exceed the topics' retention and how far back
dead letters are replayed. TikTok re-sends a notification for at most 12 hours. Rows go in batches, so
one pass never holds a long lock; the outbox prunes its own sent rows (libs/common/outbox.py).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import asyncpg

_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")


@dataclass(frozen=True)
class Kept:
    """A table of records kept for recognising repeats: its time column, and which rows are finished."""

    table: str
    column: str
    finished: str = "TRUE"  # SQL: only these rows may go (e.g. ``processed_at IS NOT NULL``)

    def __post_init__(self) -> None:
        if not (_NAME.match(self.table) and _NAME.match(self.column)):
            raise ValueError(f"not a table/column name: {self.table}.{self.column}")


#: Every service's inbox of consumed event ids (libs/common/inbox.py).
INBOX = Kept("inbox", "processed_at")


async def prune(pool: asyncpg.Pool, kept: Sequence[Kept], *, keep_s: float, batch: int = 5000) -> dict[str, int]:
    """Delete the finished rows older than ``keep_s`` from each table, ``batch`` at a time; rows removed per table."""
    removed: dict[str, int] = {}
    async with pool.acquire() as conn:
        for table in kept:
            total = 0
            while True:
                status = await conn.execute(
                    f"DELETE FROM {table.table} WHERE ctid = ANY(ARRAY(SELECT ctid FROM {table.table}"
                    f" WHERE {table.column} < now() - make_interval(secs => $1) AND ({table.finished}) LIMIT $2))",
                    keep_s, batch)
                count = int(status.split()[-1])
                total += count
                if count < batch:
                    break
            removed[table.table] = total
    return removed
