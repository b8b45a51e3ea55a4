"""Outbox, inbox, retries and the DLQ against real PostgreSQL and the real broker."""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from datetime import UTC, datetime

import asyncpg
import pytest
from aiokafka import AIOKafkaConsumer
from faststream.kafka import KafkaBroker

from libs.common.consumer import EventConsumer, Record
from libs.common.db import common_migrations, create_pool, migrate
from libs.common.events import InventoryChanged, new_event
from libs.common.kafka import KafkaPublisher, ensure_topics
from libs.common.outbox import OutboxRelay, enqueue_data

pytestmark = pytest.mark.integration

TOPIC = "inventory.changed"


async def _setup(pg_dsn: str, bootstrap: str) -> tuple[asyncpg.Pool, KafkaPublisher]:
    pool = await create_pool(pg_dsn, schema="t_common")
    await migrate(pool, schema="t_common", migrations=common_migrations())
    async with pool.acquire() as conn:
        await conn.execute("CREATE TABLE applied (event_id text, seller_sku text, available int)")
    await ensure_topics(bootstrap, [TOPIC, f"{TOPIC}.dlq"])
    publisher = KafkaPublisher(bootstrap)
    await publisher.start()
    return pool, publisher


def _inventory(sku: str, available: int) -> InventoryChanged:
    return InventoryChanged(seller_sku=sku, available=available, occurred_at=datetime.now(UTC))


async def _apply(conn: asyncpg.Connection, event, data: InventoryChanged) -> None:
    await conn.execute("INSERT INTO applied VALUES ($1, $2, $3)", event.id, data.seller_sku, data.available)


async def _run_consumer(consumer: EventConsumer, bootstrap: str, until, timeout_s: float = 40.0) -> None:
    broker = KafkaBroker(bootstrap, logger=logging.getLogger("faststream"))
    consumer.attach(broker)
    await broker.start()
    try:
        deadline = asyncio.get_running_loop().time() + timeout_s
        while not await until():
            assert asyncio.get_running_loop().time() < deadline, f"timed out; stats={dict(consumer.stats)}"
            await asyncio.sleep(0.1)
    finally:
        await broker.stop()


async def test_relay_crash_republishes_and_consumer_applies_once(pg_dsn, kafka_bootstrap, unique):
    pool, publisher = await _setup(pg_dsn, kafka_bootstrap)
    sku = f"SKU-{unique}"
    try:
        async with pool.acquire() as conn, conn.transaction():
            ids = [(await enqueue_data(conn, _inventory(f"{sku}-{i}", i), source="test")).id for i in range(3)]
        relay = OutboxRelay(pool=pool, publisher=publisher, schema="t_common")

        async def crash(_: list[str]) -> None:
            raise RuntimeError("relay killed between publish and mark-sent")

        relay.after_publish = crash
        with pytest.raises(RuntimeError):
            await relay.run_once()
        async with pool.acquire() as conn:
            assert await conn.fetchval("SELECT count(*) FROM outbox WHERE sent_at IS NULL") == 3
        relay.after_publish = None
        assert await relay.run_once() == 3  # published again, same ids
        assert await relay.run_once() == 0

        consumer = EventConsumer(pool=pool, publisher=publisher, group_id=f"g-{unique}")
        consumer.route(TOPIC, ["InventoryChanged"], _apply)

        async def all_applied() -> bool:
            async with pool.acquire() as conn:
                return await conn.fetchval("SELECT count(*) FROM applied WHERE seller_sku LIKE $1", f"{sku}%") >= 3

        await _run_consumer(consumer, kafka_bootstrap, all_applied)
        await asyncio.sleep(0.5)  # let any duplicate that would be applied show up
        async with pool.acquire() as conn:
            rows = await conn.fetch("SELECT event_id FROM applied WHERE seller_sku LIKE $1", f"{sku}%")
        assert sorted(r["event_id"] for r in rows) == sorted(ids)  # each exactly once
        assert consumer.stats["duplicate"] >= 3  # the republished copies were recognised
    finally:
        await publisher.stop()
        await pool.close()


async def test_malformed_message_goes_to_dlq_and_next_is_processed(pg_dsn, kafka_bootstrap, unique):
    pool, publisher = await _setup(pg_dsn, kafka_bootstrap)
    sku = f"SKU-{unique}"
    try:
        await publisher.publish(TOPIC, b"{not json " + unique.encode(), key=sku.encode())
        bad_schema = new_event(_inventory(sku, 1), source="test").model_dump(mode="json")
        bad_schema["data"]["available"] = -5
        await publisher.publish(TOPIC, json.dumps(bad_schema).encode(), key=sku.encode())
        good = new_event(_inventory(sku, 9), source="test")
        await publisher.publish(TOPIC, good.to_bytes(), key=sku.encode())
        # the same event delivered twice (e.g. a producer retry): applied once
        await publisher.publish(TOPIC, good.to_bytes(), key=sku.encode())

        consumer = EventConsumer(pool=pool, publisher=publisher, group_id=f"g-{unique}")
        consumer.route(TOPIC, ["InventoryChanged"], _apply)

        async def good_applied() -> bool:
            async with pool.acquire() as conn:
                return bool(await conn.fetchval("SELECT count(*) FROM applied WHERE seller_sku = $1", sku))

        await _run_consumer(consumer, kafka_bootstrap, good_applied)
        async with pool.acquire() as conn:
            assert await conn.fetchval("SELECT count(*) FROM applied WHERE seller_sku = $1", sku) == 1

        dlq = AIOKafkaConsumer(f"{TOPIC}.dlq", bootstrap_servers=kafka_bootstrap, auto_offset_reset="earliest",
                               group_id=f"dlq-{unique}")
        await dlq.start()
        reasons: dict[bytes, str] = {}
        try:
            deadline = asyncio.get_running_loop().time() + 20
            while len(reasons) < 2 and asyncio.get_running_loop().time() < deadline:
                for records in (await dlq.getmany(timeout_ms=500)).values():
                    for r in records:
                        if unique.encode() in r.value or bad_schema["id"].encode() in r.value:
                            reasons[r.value] = dict(r.headers)["x-dlq-reason"].decode()
        finally:
            await dlq.stop()
        assert len(reasons) == 2, reasons
        texts = " | ".join(reasons.values())
        assert "JSON" in texts or "json" in texts
        assert "available" in texts
    finally:
        await publisher.stop()
        await pool.close()


async def test_failing_handler_retries_then_dead_letters(pg_dsn, kafka_bootstrap, unique):
    pool, publisher = await _setup(pg_dsn, kafka_bootstrap)
    sku = f"SKU-{unique}"
    calls: dict[str, int] = {}

    async def flaky(conn, event, data: InventoryChanged) -> None:
        calls[data.seller_sku] = calls.get(data.seller_sku, 0) + 1
        if data.seller_sku.endswith("-always"):
            raise ValueError("cannot apply")
        if calls[data.seller_sku] < 3:
            raise RuntimeError("transient")
        await _apply(conn, event, data)

    try:
        consumer = EventConsumer(pool=pool, publisher=publisher, group_id=f"g-{unique}", max_attempts=4,
                                 backoff_initial_s=0.01, backoff_max_s=0.05)
        consumer.route(TOPIC, ["InventoryChanged"], flaky)
        outcome = await consumer.handle_record(Record(topic=TOPIC, value=new_event(_inventory(f"{sku}-flaky", 1), source="t").to_bytes()))
        assert outcome.status == "processed" and calls[f"{sku}-flaky"] == 3
        outcome = await consumer.handle_record(Record(topic=TOPIC, value=new_event(_inventory(f"{sku}-always", 1), source="t").to_bytes()))
        assert outcome.status == "dead-lettered" and calls[f"{sku}-always"] == 4
        assert "cannot apply" in (outcome.reason or "")
        async with pool.acquire() as conn:  # nothing of the failed attempts was left behind
            assert await conn.fetchval("SELECT count(*) FROM applied WHERE seller_sku = $1", f"{sku}-always") == 0
            assert await conn.fetchval("SELECT count(*) FROM inbox") == 1
    finally:
        await publisher.stop()
        await pool.close()


async def test_two_replicas_migrating_at_once(pg_dsn):
    pools = [await create_pool(pg_dsn, schema="t_race") for _ in range(2)]
    try:
        results = await asyncio.gather(*(migrate(p, schema="t_race", migrations=common_migrations()) for p in pools))
        assert sorted(len(r) for r in results) == [0, len(common_migrations())]
    finally:
        for p in pools:
            await p.close()


def test_event_id_is_unique():
    assert len({new_event(_inventory("A", 1), source="t").id for _ in range(100)}) == 100
    assert uuid.UUID(new_event(_inventory("A", 1), source="t").id)


async def test_a_batch_is_applied_in_one_transaction_and_a_poison_record_only_costs_a_second_pass(
    pg_dsn, kafka_bootstrap, unique
):

    pool, publisher = await _setup(pg_dsn, kafka_bootstrap)
    commits: list[int] = []
    attempts: dict[str, int] = {}

    async def apply_or_refuse(conn, event, data: InventoryChanged) -> None:
        attempts[data.seller_sku] = attempts.get(data.seller_sku, 0) + 1
        if data.seller_sku.endswith("-poison"):
            raise ValueError("poison pill")
        await _apply(conn, event, data)

    try:
        consumer = EventConsumer(pool=pool, publisher=publisher, group_id=f"g-{unique}", max_attempts=2,
                                 backoff_initial_s=0.01, backoff_max_s=0.02, after_commit=lambda: commits.append(1))
        consumer.route(TOPIC, ["InventoryChanged"], apply_or_refuse)
        events = [new_event(_inventory(f"{unique}-{i}", i), source="t") for i in range(5)]
        clean = await consumer.handle_batch([Record(TOPIC, e.to_bytes()) for e in events]
                                            + [Record(TOPIC, events[0].to_bytes())])  # a redelivery inside the batch
        assert [o.status for o in clean] == ["processed"] * 5 + ["duplicate"]
        assert commits == [1]  # one transaction for the whole batch

        good = new_event(_inventory(f"{unique}-good", 7), source="t")
        poison = new_event(_inventory(f"{unique}-poison", 1), source="t")
        mixed = await consumer.handle_batch([
            Record(TOPIC, good.to_bytes()),
            Record(TOPIC, b"{broken"),
            Record(TOPIC, poison.to_bytes()),
            Record(TOPIC, events[1].to_bytes()),
        ])
        assert [o.status for o in mixed] == ["processed", "dead-lettered", "dead-lettered", "duplicate"]
        assert "poison pill" in (mixed[2].reason or "")
        assert attempts[f"{unique}-poison"] == 1 + 2  # once in the batch, then max_attempts alone
        async with pool.acquire() as conn:
            applied = await conn.fetch("SELECT seller_sku FROM applied WHERE seller_sku LIKE $1", f"{unique}-%")
        assert sorted(r["seller_sku"] for r in applied) == sorted([f"{unique}-{i}" for i in range(5)] + [f"{unique}-good"])
    finally:
        await publisher.stop()
        await pool.close()


async def test_a_value_the_database_refuses_is_dead_lettered_after_one_attempt(pg_dsn, kafka_bootstrap, unique):
    """A DataError (SQLSTATE class 22) can never succeed: DLQ at once with the reason, not retried."""
    pool, publisher = await _setup(pg_dsn, kafka_bootstrap)
    calls = 0

    async def overflow(conn, event, data: InventoryChanged) -> None:
        nonlocal calls
        calls += 1
        await conn.execute("SELECT ($1::int * 1000)::smallint", data.available)  # 70,000 > 32,767, on the server

    try:
        consumer = EventConsumer(pool=pool, publisher=publisher, group_id=f"g-{unique}", max_attempts=4,
                                 backoff_initial_s=0.01, backoff_max_s=0.05)
        consumer.route(TOPIC, ["InventoryChanged"], overflow)
        outcome = await consumer.handle_record(Record(topic=TOPIC, value=new_event(_inventory(f"SKU-{unique}", 70), source="t").to_bytes()))
        assert outcome.status == "dead-lettered" and calls == 1, outcome
        assert "database refused a value" in (outcome.reason or "") and "NumericValueOutOfRange" in (outcome.reason or "")
    finally:
        await publisher.stop()
        await pool.close()


async def test_an_event_without_time_is_applied_and_a_quantity_tiktok_cannot_take_is_dead_lettered(
    pg_dsn, kafka_bootstrap, unique
):
    """CloudEvents 1.0 makes ``time`` optional; the contract bounds ``available`` to what TikTok accepts."""
    pool, publisher = await _setup(pg_dsn, kafka_bootstrap)
    try:
        consumer = EventConsumer(pool=pool, publisher=publisher, group_id=f"g-{unique}")
        consumer.route(TOPIC, ["InventoryChanged"], _apply)
        event = json.loads(new_event(_inventory(f"SKU-{unique}", 5), source="erp").to_bytes())
        del event["time"]
        assert (await consumer.handle_record(Record(topic=TOPIC, value=json.dumps(event).encode()))).status == "processed"
        event = {**event, "id": str(uuid.uuid4()), "data": {**event["data"], "available": 100_000}}
        outcome = await consumer.handle_record(Record(topic=TOPIC, value=json.dumps(event).encode()))
        assert outcome.status == "dead-lettered" and "available" in (outcome.reason or ""), outcome
        async with pool.acquire() as conn:
            assert await conn.fetchval("SELECT count(*) FROM applied WHERE seller_sku = $1", f"SKU-{unique}") == 1
    finally:
        await publisher.stop()
        await pool.close()
