"""Reading and replaying dead letters (``<topic>.dlq``) for operators (`ttshop dlq list|replay`).

A dead letter is the original record's bytes and key, with ``x-dlq-*`` headers saying why it failed,
where it came from and which consumer group gave up on it. Replaying publishes the original bytes
back to the original topic; consumers' inboxes make a replay of an already-applied event harmless.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from aiokafka import AIOKafkaConsumer, TopicPartition

from libs.common.events import TOPICS, dlq_topic
from libs.common.kafka import KafkaPublisher


@dataclass(frozen=True)
class DeadLetter:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def original_topic(self) -> str:
        return self.headers.get("x-dlq-original-topic") or self.topic.removesuffix(".dlq")

    @property
    def reason(self) -> str:
        return self.headers.get("x-dlq-reason", "")

    @property
    def ref(self) -> str:
        """How an operator names this dead letter: ``topic.dlq:partition:offset``."""
        return f"{self.topic}:{self.partition}:{self.offset}"

    def event_summary(self) -> tuple[str | None, str | None]:
        """(id, type) of the CloudEvent inside, when the bytes are one."""
        try:
            body = json.loads(self.value)
        except ValueError:
            return None, None
        if not isinstance(body, dict):
            return None, None
        return body.get("id"), body.get("type")


def dlq_topics(topic: str | None) -> list[str]:
    if topic is None:
        return [dlq_topic(t) for t in TOPICS]
    return [topic if topic.endswith(".dlq") else dlq_topic(topic)]


async def read_dead_letters(bootstrap: str, topics: list[str], *, limit: int = 1000,
                            newest: bool = False) -> list[DeadLetter]:
    """What the given DLQ topics hold (no consumer group, nothing committed), in topic/partition/offset order:
    the first ``limit`` from the beginning, or with ``newest`` the ``limit`` that failed last (each partition
    read from ``limit`` before its end; by the ``x-dlq-failed-at`` header, then offset)."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, group_id=None)
    await consumer.start()
    try:
        existing = await consumer.topics()
        partitions = [
            TopicPartition(t, p) for t in topics if t in existing for p in sorted(consumer.partitions_for_topic(t) or ())
        ]
        if not partitions:
            return []
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        if newest:
            starts = await consumer.beginning_offsets(partitions)
            for tp in partitions:
                consumer.seek(tp, max(starts[tp], ends[tp] - limit))
        letters: list[DeadLetter] = []
        remaining = {tp for tp in partitions if ends[tp] > await consumer.position(tp)}
        while remaining and (newest or len(letters) < limit):  # newest: at most limit per partition
            batch = await consumer.getmany(*remaining, timeout_ms=1000, max_records=500)
            for tp, records in batch.items():
                for r in records:
                    headers = {k: v.decode(errors="replace") for k, v in (r.headers or ())}
                    letters.append(DeadLetter(r.topic, r.partition, r.offset, r.key, r.value or b"", headers))
                if await consumer.position(tp) >= ends[tp]:
                    remaining.discard(tp)
            if not batch:
                remaining = {tp for tp in remaining if await consumer.position(tp) < ends[tp]}
        if newest:
            letters = sorted(letters, key=_failed_at)[-limit:]
        return sorted(letters, key=lambda d: (d.topic, d.partition, d.offset))[:limit]
    finally:
        await consumer.stop()


def _failed_at(letter: DeadLetter) -> tuple[int, int]:
    stamp = letter.headers.get("x-dlq-failed-at", "")
    return (int(stamp) if stamp.isdigit() else 0, letter.offset)


async def replay(bootstrap: str, letters: list[DeadLetter]) -> int:
    """Publish each dead letter's original bytes and key back to its original topic."""
    publisher = KafkaPublisher(bootstrap, client_id="ttshop-dlq-replay")
    await publisher.start()
    try:
        for letter in letters:
            await publisher.publish(
                letter.original_topic,
                letter.value,
                key=letter.key,
                headers=[("x-replayed-from", letter.ref.encode())],
            )
        return len(letters)
    finally:
        await publisher.stop()
