"""The dead letters on the broker (``<topic>.dlq``), read and replayed with :mod:`libs.common.dlq`'s async
functions (as `ttshop dlq` does), each call bounded by a timeout: a broker that cannot be reached becomes a
:class:`BrokerError` the page shows, never a page that hangs."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TypeVar

from aiokafka import AIOKafkaConsumer, TopicPartition

from libs.common.dlq import DeadLetter, dlq_topics, read_dead_letters, replay

T = TypeVar("T")
#: The most dead letters a page reads (the counts per topic are exact regardless).
READ_LIMIT = 1000
#: Replaying every dead letter of a topic reads at most this many.
REPLAY_LIMIT = 100_000


class BrokerError(Exception):
    """The broker could not be reached or did not answer in time: ``message (code)`` as the page shows it."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{message} ({code})")
        self.code = code
        self.message = message

    @property
    def shown(self) -> str:
        return f"{self.message} ({self.code})"


async def bounded(work: Awaitable[T], *, bootstrap: str, timeout_s: float, doing: str) -> T:
    """``work``, or BrokerError when it fails or takes longer than ``timeout_s``."""
    try:
        return await asyncio.wait_for(work, timeout_s)
    except TimeoutError:
        raise BrokerError("broker_timeout", f"cannot {doing} at {bootstrap}: no answer in {timeout_s:g} s") from None
    except Exception as exc:  # aiokafka's connection errors have no common base worth naming
        raise BrokerError("broker_unreachable", f"cannot {doing} at {bootstrap}: {type(exc).__name__}: {exc}") from exc


async def _counts(bootstrap: str, topics: list[str]) -> dict[str, int]:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, group_id=None)
    await consumer.start()
    try:
        existing = await consumer.topics()
        partitions = [TopicPartition(t, p) for t in topics if t in existing
                      for p in sorted(consumer.partitions_for_topic(t) or ())]
        first = await consumer.beginning_offsets(partitions) if partitions else {}
        end = await consumer.end_offsets(partitions) if partitions else {}
        return {t: sum(end[tp] - first[tp] for tp in partitions if tp.topic == t) for t in topics if t in existing}
    finally:
        await consumer.stop()


async def counts(bootstrap: str, *, timeout_s: float) -> dict[str, int]:
    """How many dead letters each existing DLQ topic holds (from its offsets: exact, nothing read)."""
    return await bounded(_counts(bootstrap, dlq_topics(None)), bootstrap=bootstrap, timeout_s=timeout_s,
                         doing="count the dead letters")


async def letters(bootstrap: str, topic: str | None, *, timeout_s: float, limit: int = READ_LIMIT) -> list[DeadLetter]:
    """The dead letters of one topic (``x`` or ``x.dlq``), or of every topic: the ``limit`` that failed last."""
    return await bounded(read_dead_letters(bootstrap, dlq_topics(topic), limit=limit, newest=True), bootstrap=bootstrap,
                         timeout_s=timeout_s, doing="read dead letters")


def parse_ref(ref: str) -> tuple[str, int, int]:
    """``topic.dlq:partition:offset`` → its parts (the caller checked it against the CLI's REF)."""
    topic, partition, offset = ref.rsplit(":", 2)
    return topic, int(partition), int(offset)


async def _one(bootstrap: str, ref: str, wait_s: float) -> DeadLetter | None:
    topic, partition, offset = parse_ref(ref)
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, group_id=None)
    await consumer.start()
    try:
        if topic not in await consumer.topics() or partition not in (consumer.partitions_for_topic(topic) or ()):
            return None
        tp = TopicPartition(topic, partition)
        consumer.assign([tp])
        first, end = (await consumer.beginning_offsets([tp]))[tp], (await consumer.end_offsets([tp]))[tp]
        if not first <= offset < end:
            return None
        consumer.seek(tp, offset)
        batch = await consumer.getmany(tp, timeout_ms=int(wait_s * 1000), max_records=1)
        for record in batch.get(tp, []):
            if record.offset == offset:
                headers = {k: v.decode(errors="replace") for k, v in (record.headers or ())}
                return DeadLetter(record.topic, record.partition, record.offset, record.key, record.value or b"",
                                  headers)
        return None
    finally:
        await consumer.stop()


async def one(bootstrap: str, ref: str, *, timeout_s: float) -> DeadLetter | None:
    """The dead letter ``topic.dlq:partition:offset``, or None when there is none (any more) at that place."""
    return await bounded(_one(bootstrap, ref, wait_s=max(timeout_s - 2.0, 1.0)), bootstrap=bootstrap,
                         timeout_s=timeout_s, doing="read the dead letter")


async def replay_letters(bootstrap: str, found: list[DeadLetter], *, timeout_s: float) -> int:
    """Publish them back to their original topics; how many were."""
    return await bounded(replay(bootstrap, found), bootstrap=bootstrap, timeout_s=timeout_s,
                         doing="replay dead letters (some may have been sent)")
