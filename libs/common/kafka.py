"""Kafka producer and topic administration (aiokafka).

The producer is used by the outbox relay and for dead letters. Idempotence and transactions are
settings for real Apache Kafka; the embedded Tansu broker supports neither, so they are off by default.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence

import structlog
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from libs.common.events import CLOUDEVENTS_CONTENT_TYPE

log = structlog.get_logger(__name__)

Header = tuple[str, bytes]


class KafkaPublisher:
    """Thin wrapper over one ``AIOKafkaProducer`` per process."""

    def __init__(self, bootstrap_servers: str, *, enable_idempotence: bool = False, client_id: str = "ttshop"):
        self._producer = AIOKafkaProducer(
            bootstrap_servers=bootstrap_servers,
            client_id=client_id,
            acks="all",
            enable_idempotence=enable_idempotence,
            linger_ms=5,
            max_batch_size=256 * 1024,
        )

    async def start(self) -> None:
        await self._producer.start()

    async def stop(self) -> None:
        await self._producer.stop()

    async def publish_many(self, messages: Sequence[tuple[str, bytes | None, bytes]]) -> None:
        headers = [("content-type", CLOUDEVENTS_CONTENT_TYPE.encode())]
        futures = [
            await self._producer.send(topic, value=value, key=key, headers=headers) for topic, key, value in messages
        ]
        await asyncio.gather(*futures)

    async def publish(
        self, topic: str, value: bytes, *, key: bytes | None = None, headers: Sequence[Header] = ()
    ) -> None:
        await self._producer.send_and_wait(topic, value=value, key=key, headers=list(headers) or None)


async def ensure_topics(
    bootstrap_servers: str, topics: Iterable[str], *, partitions: int = 3, replication_factor: int = 1
) -> list[str]:
    """Create the topics that do not exist yet; returns the ones created. Safe to race."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, client_id="ttshop-admin")
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = sorted(set(topics) - existing)
        created: list[str] = []
        for topic in missing:
            try:
                await admin.create_topics([NewTopic(topic, partitions, replication_factor)])
                created.append(topic)
            except TopicAlreadyExistsError:
                pass
        if created:
            log.info("topics created", topics=created, partitions=partitions)
        return created
    finally:
        await admin.close()
