"""Consuming events: inbox + transaction + explicit commit, capped retries, dead letters.

For each record: parse and validate against the contract (bad JSON or a schema violation can never
succeed: straight to ``<topic>.dlq`` with the reason); then, in one Postgres transaction, claim the
event id in the inbox and run the handler. The offset is committed only after that transaction has
committed. A handler error is retried with capped exponential backoff; after ``max_attempts`` the
message goes to the DLQ and the consumer moves on; a :class:`PermanentError` or a value the database
refuses (``asyncpg.DataError``, SQLSTATE class 22; or a program limit, class 54, such as a value too big for
an index) goes there at once. Loss of the database or broker is
not the message's fault: it is retried (capped backoff, no hot loop) without counting toward the DLQ.
Every outcome is counted and every handling timed (``libs.common.metrics``); a handler's log lines carry the
event's id, type, shop and order.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import structlog
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from pydantic import BaseModel

from libs.common import inbox, metrics
from libs.common.events import TYPES_BY_TOPIC, CloudEvent, InvalidEvent, dlq_topic, parse_event
from libs.common.kafka import KafkaPublisher
from libs.common.logging import log_context

log = structlog.get_logger(__name__)

Handler = Callable[[asyncpg.Connection, CloudEvent, BaseModel], Awaitable[None]]
#: Takes every fresh event of its route in one poll at once, in order (e.g. to coalesce and write in bulk).
BatchHandler = Callable[[asyncpg.Connection, Sequence[tuple[CloudEvent, BaseModel]]], Awaitable[None]]

INFRASTRUCTURE_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    asyncpg.TooManyConnectionsError,
)

#: The database refuses the value itself (SQLSTATE class 22, or class 54 such as "index row size exceeds
#: maximum"): the same message fails the same way every time.
UNSTORABLE_ERRORS: tuple[type[BaseException], ...] = (asyncpg.DataError, asyncpg.ProgramLimitExceededError)


#: The ``type`` label of a record that is no valid event (its type cannot be trusted).
UNPARSED = "unparsed"


def event_context(topic: str, event: CloudEvent, data: BaseModel) -> AbstractContextManager[None]:
    """Every log line inside carries the event's ids (and its shop and order where it has them)."""
    return log_context(event_id=event.id, event_type=event.type, topic=topic,
                       shop_id=event.shopid or getattr(data, "shop_id", None), order_id=getattr(data, "order_id", None))


def _count(outcomes: Counter[tuple[str, str, str]]) -> None:
    service = metrics.current_service()
    for (topic, event_type, status), count in outcomes.items():
        metrics.EVENTS_CONSUMED.labels(service, topic, event_type, status).inc(count)


class PermanentError(Exception):
    """The message can never be processed (e.g. refers to something impossible): DLQ at once."""


@dataclass
class Route:
    topic: str
    event_types: frozenset[str]
    handler: Handler
    batch_handler: BatchHandler | None = None


@dataclass
class Outcome:
    status: str  # processed | duplicate | ignored | dead-lettered
    reason: str | None = None


@dataclass(frozen=True)
class Record:
    """One Kafka record, as the consumer needs it."""

    topic: str
    value: bytes
    key: bytes | None = None
    partition: int = -1
    offset: int = -1
    headers: Sequence[tuple[str, bytes]] = ()


@dataclass(frozen=True)
class Work:
    """A parsed record with the route that handles it."""

    record: Record
    event: CloudEvent
    data: BaseModel
    route: Route


@dataclass
class EventConsumer:
    pool: asyncpg.Pool
    publisher: KafkaPublisher
    group_id: str
    max_attempts: int = 5
    backoff_initial_s: float = 0.2
    backoff_max_s: float = 5.0
    after_commit: Callable[[], None] | None = None
    batch_size: int = 100
    routes: dict[str, list[Route]] = field(default_factory=dict)
    stats: Counter[str] = field(default_factory=Counter)
    _subscriber: Any = None

    def route(self, topic: str, event_types: Sequence[str], handler: Handler) -> None:
        self.routes.setdefault(topic, []).append(Route(topic, frozenset(event_types), handler))

    def route_batch(self, topic: str, event_types: Sequence[str], handler: BatchHandler) -> None:
        """``handler`` gets all fresh events of these types in a poll at once (a single one when a failed
        batch is replayed record by record)."""
        async def one(conn: asyncpg.Connection, event: CloudEvent, data: BaseModel) -> None:
            await handler(conn, [(event, data)])

        self.routes.setdefault(topic, []).append(Route(topic, frozenset(event_types), one, handler))

    def _backoff(self, attempt: int) -> float:
        cap = min(self.backoff_max_s, self.backoff_initial_s * (2 ** (attempt - 1)))
        return random.uniform(cap / 2, cap)

    async def _parse(self, record: Record) -> Work | Outcome:
        """The record parsed and routed, or its final outcome when it cannot be (dead-lettered, ignored)."""
        try:
            event, data = parse_event(record.value, expected_types=set(TYPES_BY_TOPIC.get(record.topic, ())) or None)
        except InvalidEvent as exc:
            return await self._dead_letter(record, exc.reason, UNPARSED)
        route = next((r for r in self.routes.get(record.topic, []) if event.type in r.event_types), None)
        if route is None:
            self.stats["ignored"] += 1
            _count(Counter({(record.topic, event.type, "ignored"): 1}))
            return Outcome("ignored", f"no handler for {event.type} in {self.group_id}")
        return Work(record, event, data, route)

    async def handle_record(self, record: Record) -> Outcome:
        """Process one record to a final outcome. Never raises (except cancellation)."""
        work = await self._parse(record)
        return work if isinstance(work, Outcome) else await self._handle(work)

    async def _handle(self, work: Work) -> Outcome:
        started = time.monotonic()
        with event_context(work.record.topic, work.event, work.data):
            outcome = await self._attempts(work)
        metrics.HANDLE_SECONDS.labels(metrics.current_service(), work.record.topic, work.event.type).observe(
            time.monotonic() - started)
        return outcome

    async def _attempts(self, work: Work) -> Outcome:
        event = work.event
        attempt = 0
        while True:
            try:
                async with self.pool.acquire() as conn, conn.transaction():
                    fresh = await inbox.claim(conn, consumer=self.group_id, event_id=event.id, event_type=event.type)
                    if fresh:
                        await work.route.handler(conn, event, work.data)
                if self.after_commit is not None:
                    self.after_commit()
                status = "processed" if fresh else "duplicate"
                self.stats[status] += 1
                _count(Counter({(work.record.topic, event.type, status): 1}))
                return Outcome(status)
            except asyncio.CancelledError:
                raise
            except PermanentError as exc:
                return await self._dead_letter(work.record, str(exc), event.type)
            except UNSTORABLE_ERRORS as exc:  # a value the database can never take: retrying cannot help
                return await self._dead_letter(
                    work.record, f"the database refused a value ({type(exc).__name__}): {exc}", event.type)
            except INFRASTRUCTURE_ERRORS as exc:
                delay = self._backoff(min(attempt + 1, 10))
                log.warning("infrastructure unavailable; retrying", error=str(exc), retry_in_s=round(delay, 2))
                await asyncio.sleep(delay)
            except Exception as exc:  # noqa: BLE001 - retried, then dead-lettered with the reason
                attempt += 1
                reason = f"{type(exc).__name__}: {exc}"
                if attempt >= self.max_attempts:
                    return await self._dead_letter(
                        work.record, f"handler failed {attempt} times; last error: {reason}", event.type)
                delay = self._backoff(attempt)
                log.warning("handler failed; retrying", error=reason, attempt=attempt, retry_in_s=round(delay, 2))
                await asyncio.sleep(delay)

    async def handle_batch(self, records: Sequence[Record]) -> list[Outcome]:
        """Process the records of one poll in ONE transaction (one inbox insert, one commit), in order.

        If anything in the batch fails, the transaction rolls back as a whole and the records are
        processed one by one (retries, DLQ), so a poison message only costs its own batch a second pass.
        Never raises (except cancellation).
        """
        parsed = [await self._parse(record) for record in records]
        work = [item for item in parsed if isinstance(item, Work)]
        if len(work) == 1:
            handled = {id(work[0]): await self._handle(work[0])}
        elif work:
            handled = await self._handle_together(work)
        else:
            handled = {}
        return [item if isinstance(item, Outcome) else handled[id(item)] for item in parsed]

    async def _handle_together(self, work: list[Work]) -> dict[int, Outcome]:
        outcomes: dict[int, Outcome] = {}
        started = time.monotonic()
        try:
            async with self.pool.acquire() as conn, conn.transaction():
                fresh = await inbox.claim_many(conn, consumer=self.group_id, events=[(w.event.id, w.event.type) for w in work])
                batches: dict[int, tuple[BatchHandler, list[tuple[CloudEvent, BaseModel]]]] = {}
                for item in work:
                    if item.event.id not in fresh:
                        outcomes[id(item)] = Outcome("duplicate")
                        continue
                    fresh.discard(item.event.id)
                    if item.route.batch_handler is not None:
                        batches.setdefault(id(item.route), (item.route.batch_handler, []))[1].append((item.event, item.data))
                    else:
                        with event_context(item.record.topic, item.event, item.data):
                            await item.route.handler(conn, item.event, item.data)
                    outcomes[id(item)] = Outcome("processed")
                for handler, items in batches.values():
                    await handler(conn, items)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - isolate the culprit: one by one, with retries and DLQ
            log.info("batch rolled back; processing its records one by one",
                     size=len(work), error=f"{type(exc).__name__}: {exc}")
            return {id(item): await self._handle(item) for item in work}
        for outcome in outcomes.values():
            self.stats[outcome.status] += 1
        if self.after_commit is not None:
            self.after_commit()
        took, service = time.monotonic() - started, metrics.current_service()
        counted = Counter((item.record.topic, item.event.type, outcomes[id(item)].status) for item in work)
        _count(counted)
        for topic, event_type in {(topic, event_type) for topic, event_type, _ in counted}:
            metrics.HANDLE_SECONDS.labels(service, topic, event_type).observe(took)
        return outcomes

    async def _dead_letter(self, record: Record, reason: str, event_type: str) -> Outcome:
        dlq_headers = [
            *[(k, v) for k, v in record.headers if not k.startswith("x-dlq-")],
            ("x-dlq-reason", reason[:4000].encode()),
            ("x-dlq-original-topic", record.topic.encode()),
            ("x-dlq-original-partition", str(record.partition).encode()),
            ("x-dlq-original-offset", str(record.offset).encode()),
            ("x-dlq-consumer-group", self.group_id.encode()),
            ("x-dlq-failed-at", str(int(time.time())).encode()),
        ]
        delay = self.backoff_initial_s
        while True:  # the offset is not committed until the dead letter is safely on the broker
            try:
                await self.publisher.publish(dlq_topic(record.topic), record.value, key=record.key, headers=dlq_headers)
                break
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001
                log.warning("dead letter publish failed; retrying", error=str(exc), topic=record.topic)
                await asyncio.sleep(delay)
                delay = min(delay * 2, self.backoff_max_s)
        self.stats["dead-lettered"] += 1
        metrics.EVENTS_DEAD_LETTERED.labels(metrics.current_service(), record.topic, event_type).inc()
        _count(Counter({(record.topic, event_type, "dead-lettered"): 1}))
        log.error("message dead-lettered", topic=record.topic, partition=record.partition, offset=record.offset,
                  reason=reason)
        return Outcome("dead-lettered", reason)

    def attach(self, broker: KafkaBroker, *, session_timeout_ms: int = 10_000) -> None:
        """Register ONE FastStream batch subscriber (one group member) for all routed topics, with
        manual commits after each batch's transaction. One member per process keeps rebalances to
        one per start, not one per topic."""

        async def on_batch(msg: KafkaMessage) -> None:
            raw = msg.raw_message
            batch = raw if isinstance(raw, tuple) else (raw,)
            await self.handle_batch([
                Record(r.topic, r.value or b"", r.key, r.partition, r.offset, list(r.headers or ()))
                for r in batch
            ])
            await msg.ack()

        self._subscriber = broker.subscriber(
            *sorted(self.routes),
            group_id=self.group_id,
            batch=True,
            max_records=self.batch_size,
            # Latency: a fetch waits at most 50 ms for data (aiokafka's 500 ms default is what a broker that does
            # not answer a waiting fetch early, such as Tansu, costs every event), and an empty poll is followed
            # by a 50 ms pause, not 200 ms (issue 11: p99 < 1 s from publish to TikTok).
            batch_timeout_ms=50,
            fetch_max_wait_ms=50,
            ack_policy=AckPolicy.MANUAL,
            auto_offset_reset="earliest",
            session_timeout_ms=session_timeout_ms,
            heartbeat_interval_ms=max(1000, session_timeout_ms // 4),
            title=self.group_id,
        )
        self._subscriber(on_batch)

    @property
    def kafka_consumer(self) -> Any:
        """The group member's aiokafka consumer once the broker has started it (``None`` before)."""
        return getattr(self._subscriber, "consumer", None)
