"""`ttshop dlq list|replay`: dead letters are visible with their reason and can be sent back."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime

import pytest
from aiokafka import AIOKafkaProducer
from typer.testing import CliRunner

from libs.cli.main import app
from libs.common.consumer import EventConsumer, Record
from libs.common.db import common_migrations, create_pool, migrate
from libs.common.dlq import read_dead_letters, replay
from libs.common.events import PriceChanged, new_event
from libs.common.kafka import KafkaPublisher, ensure_topics
from tests.support.stack import collect

pytestmark = pytest.mark.integration
TOPIC = "price.changed"


async def test_dead_letter_listed_with_reason_and_replayed(pg_dsn, kafka_bootstrap, unique):
    await ensure_topics(kafka_bootstrap, [TOPIC, f"{TOPIC}.dlq"])
    pool = await create_pool(pg_dsn, schema="t_dlq")
    await migrate(pool, schema="t_dlq", migrations=common_migrations())
    publisher = KafkaPublisher(kafka_bootstrap)
    await publisher.start()
    try:
        consumer = EventConsumer(pool=pool, publisher=publisher, group_id=f"g-{unique}", max_attempts=1)

        async def refuse(conn, event, data) -> None:
            raise RuntimeError(f"price feed {unique} rejected")

        consumer.route(TOPIC, ["PriceChanged"], refuse)
        event = new_event(PriceChanged(seller_sku=f"SKU-{unique}", amount="9.99", currency="USD",
                                       occurred_at=datetime.now(UTC)), source="test")
        outcome = await consumer.handle_record(Record(topic=TOPIC, value=event.to_bytes(), key=b"k", partition=0, offset=7))
        assert outcome.status == "dead-lettered"

        letters = [d for d in await read_dead_letters(kafka_bootstrap, [f"{TOPIC}.dlq"]) if unique in d.reason]
        assert len(letters) == 1
        letter = letters[0]
        assert letter.original_topic == TOPIC and letter.event_summary() == (event.id, "PriceChanged")
        assert letter.headers["x-dlq-consumer-group"] == f"g-{unique}"
        assert letter.headers["x-dlq-original-offset"] == "7"

        # the CLI runs its own event loop: call it from a thread, as a terminal would from outside
        result = await asyncio.to_thread(CliRunner().invoke, app, ["dlq", "list", TOPIC],
                                         env={"KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap, "COLUMNS": "250"})
        assert result.exit_code == 0, result.output
        assert letter.ref in result.output and "rejected" in result.output

        bad = await asyncio.to_thread(CliRunner().invoke, app, ["dlq", "replay", "nope:0:1"],
                                      env={"KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap})
        assert bad.exit_code == 2 and "topic.dlq:partition:offset" in bad.output

        assert await replay(kafka_bootstrap, [letter]) == 1
        back = await collect(kafka_bootstrap, TOPIC, count=1, predicate=lambda e: e.get("id") == event.id)
        assert back and back[0]["data"]["seller_sku"] == f"SKU-{unique}"
        assert json.loads(letter.value)["id"] == event.id
    finally:
        await publisher.stop()
        await pool.close()


async def test_the_newest_dead_letters_are_read_when_there_are_more_than_the_limit(kafka_bootstrap, unique):
    """The console lists the dead letters that failed last (a DLQ can hold thousands), the CLI from the start."""
    topic = f"dlq-newest-{unique}.dlq"
    await ensure_topics(kafka_bootstrap, [topic], partitions=2)
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap)
    await producer.start()
    try:
        for n in range(6):  # failed at 1000, 1001, ... over both partitions
            await producer.send_and_wait(topic, f"letter-{n}".encode(), partition=n % 2,
                                         headers=[("x-dlq-failed-at", str(1000 + n).encode())])
    finally:
        await producer.stop()
    newest = await read_dead_letters(kafka_bootstrap, [topic], limit=3, newest=True)
    oldest = await read_dead_letters(kafka_bootstrap, [topic], limit=3)
    assert sorted(d.value for d in newest) == [b"letter-3", b"letter-4", b"letter-5"]
    assert sorted(d.value for d in oldest) != sorted(d.value for d in newest) and len(oldest) == 3
    everything = await read_dead_letters(kafka_bootstrap, [topic], limit=100, newest=True)
    assert sorted(d.value for d in everything) == [f"letter-{n}".encode() for n in range(6)]
