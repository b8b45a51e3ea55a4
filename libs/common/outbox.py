"""Transactional outbox: write events with the state change, publish them afterwards.

``enqueue`` is called inside the use case's transaction. ``OutboxRelay`` publishes unsent rows in
order and marks them sent. If the relay dies between publishing and marking, the rows are published
again with the same event ids; consumers' inboxes make that harmless. One relay per schema is active
at a time (a transaction-level advisory lock), which keeps per-key order across replicas.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol

import asyncpg
import structlog
from pydantic import BaseModel

from libs.common import metrics
from libs.common.events import CloudEvent, event_key, new_event, topic_for

log = structlog.get_logger(__name__)


class Publisher(Protocol):
    async def publish_many(self, messages: Sequence[tuple[str, bytes | None, bytes]]) -> None:
        """Publish (topic, key, value) messages; returns once all are acknowledged."""


_INSERT = "INSERT INTO outbox (event_id, event_type, topic, key, payload) VALUES ($1, $2, $3, $4, $5)"


def _row(event: CloudEvent) -> tuple[str, str, str, bytes, bytes]:
    return (event.id, event.type, topic_for(event.type), event_key(event), event.to_bytes())


async def enqueue(conn: asyncpg.Connection, event: CloudEvent) -> CloudEvent:
    """Add an event to the outbox, in the caller's transaction."""
    await conn.execute(_INSERT, *_row(event))
    return event


async def enqueue_many(conn: asyncpg.Connection, events: Sequence[CloudEvent]) -> None:
    """Add many events in one round trip (a page of orders), in the caller's transaction."""
    if events:
        await conn.executemany(_INSERT, [_row(e) for e in events])


async def enqueue_data(
    conn: asyncpg.Connection, data: BaseModel, *, source: str, event_id: str | None = None
) -> CloudEvent:
    """Wrap a contract model in a CloudEvent and add it to the outbox."""
    return await enqueue(conn, new_event(data, source=source, event_id=event_id))


async def unsent_count(conn: asyncpg.Connection) -> int:
    """Rows not yet published (the ``outbox_unsent`` partial index holds exactly them)."""
    return int(await conn.fetchval("SELECT count(*) FROM outbox WHERE sent_at IS NULL"))


async def oldest_unsent_age_s(conn: asyncpg.Connection) -> float:
    """Seconds since the oldest unsent row was written; 0 when every row is sent."""
    age = await conn.fetchval(
        "SELECT extract(epoch FROM now() - created_at) FROM outbox WHERE sent_at IS NULL ORDER BY seq LIMIT 1")
    return max(0.0, float(age)) if age is not None else 0.0


class OutboxRelay:
    def __init__(
        self,
        *,
        pool: asyncpg.Pool,
        publisher: Publisher,
        schema: str,
        batch_size: int = 500,
        idle_poll_s: float = 0.2,
        retention_s: float = 7 * 24 * 3600,
    ) -> None:
        self._pool = pool
        self._publisher = publisher
        self._lock_key = f"ttshop.outbox.{schema}"
        self._batch_size = batch_size
        self._idle_poll_s = idle_poll_s
        self._retention_s = retention_s
        self._wake = asyncio.Event()
        #: Test hook: awaited after publishing, before marking sent (simulates a crash there).
        self.after_publish: Callable[[list[str]], Awaitable[None]] | None = None
        self.published = 0

    def wake(self) -> None:
        """Call after committing outbox rows so they go out without waiting for the poll."""
        self._wake.set()

    async def run_once(self) -> int:
        """Publish one batch; returns how many events were published."""
        async with self._pool.acquire() as conn, conn.transaction():
            if not await conn.fetchval("SELECT pg_try_advisory_xact_lock(hashtext($1))", self._lock_key):
                return 0
            rows = await conn.fetch(
                "SELECT seq, event_id, event_type, topic, key, payload FROM outbox"
                " WHERE sent_at IS NULL ORDER BY seq LIMIT $1",
                self._batch_size,
            )
            if not rows:
                return 0
            await self._publisher.publish_many([(r["topic"], r["key"], r["payload"]) for r in rows])
            if self.after_publish is not None:
                await self.after_publish([r["event_id"] for r in rows])
            await conn.execute(
                "UPDATE outbox SET sent_at = now() WHERE seq = ANY($1::bigint[])", [r["seq"] for r in rows]
            )
        self.published += len(rows)
        service = metrics.current_service()
        for (topic, event_type), count in Counter((r["topic"], r["event_type"]) for r in rows).items():
            metrics.EVENTS_PUBLISHED.labels(service, topic, event_type).inc(count)
        return len(rows)

    async def purge_sent(self) -> int:
        async with self._pool.acquire() as conn:
            status = await conn.execute(
                "DELETE FROM outbox WHERE sent_at < now() - make_interval(secs => $1)", self._retention_s
            )
        return int(status.split()[-1])

    async def run(self) -> None:
        """Relay forever: drain, then wait for a wake-up or the idle poll. Errors back off."""
        backoff = 0.2
        purge_every, cycles = 5000, 0
        while True:
            try:
                count = await self.run_once()
                backoff = 0.2
                cycles += 1
                if cycles % purge_every == 0:
                    await self.purge_sent()
                if count:
                    continue
                self._wake.clear()
                try:
                    await asyncio.wait_for(self._wake.wait(), timeout=self._idle_poll_s)
                except TimeoutError:
                    pass
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - keep relaying; nothing is lost, rows stay unsent
                log.warning("outbox relay failed; will retry", error=str(exc), backoff_s=backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 10.0)
