"""Kafka producer and topic administration (aiokafka).

The producer is used by the outbox relay and for dead letters. Idempotence and transactions are
settings for real Apache Kafka; the embedded Tansu broker supports neither, so they are off by default.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping, Sequence

import structlog
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError, for_code

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


#: The broker's answer when a topic exists already (another process created it first).
TOPIC_ALREADY_EXISTS = TopicAlreadyExistsError.errno


async def create_topics(
    admin: AIOKafkaAdminClient,
    topics: Sequence[str],
    *,
    partitions: int,
    replication_factor: int,
    configs: Mapping[str, str] | None = None,
) -> dict[str, tuple[int, str] | None]:
    """Create ``topics`` in one request: topic -> None when created, else (the broker's error code, its reason).
    The broker answers per topic; an error there is returned, not raised."""
    if not topics:
        return {}
    new = [NewTopic(t, partitions, replication_factor, topic_configs=dict(configs or {})) for t in topics]
    response = await admin.create_topics(new)
    outcome: dict[str, tuple[int, str] | None] = {}
    for topic, code, *message in response.topic_errors:
        reason = (message[0] if message else None) or for_code(code).__name__
        outcome[topic] = None if code == 0 else (code, str(reason))
    return outcome


async def ensure_topics(
    bootstrap_servers: str,
    topics: Iterable[str],
    *,
    partitions: int = 3,
    replication_factor: int = 1,
) -> list[str]:
    """Create the topics that do not exist yet; returns the ones created. Safe to race (a topic another process
    created first is not an error); a topic the broker refuses is logged with the broker's reason."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, client_id="ttshop-admin")
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = sorted(set(topics) - existing)
        outcome = await create_topics(admin, missing, partitions=partitions, replication_factor=replication_factor)
        created = [topic for topic, error in outcome.items() if error is None]
        refused = {t: e[1] for t, e in outcome.items() if e is not None and e[0] != TOPIC_ALREADY_EXISTS}
        if created:
            log.info("topics created", topics=created, partitions=partitions)
        if refused:
            log.error("topics not created", refused=refused)
        return created
    finally:
        await admin.close()
