"""Reading whole topics from outside, as a WMS or an auditor would: plain aiokafka consumers without a group."""

from __future__ import annotations

from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition


async def read_topic(bootstrap: str, topic: str) -> list[Any]:
    """Every record on ``topic`` now (from the beginning to the end offsets), read without a group."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, group_id=None)
    await consumer.start()
    try:
        partitions = consumer.partitions_for_topic(topic) or set()
        if not partitions:
            await consumer.topics()
            partitions = consumer.partitions_for_topic(topic) or set()
        tps = [TopicPartition(topic, p) for p in sorted(partitions)]
        if not tps:
            return []
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        ends = await consumer.end_offsets(tps)
        left = {tp: end for tp, end in ends.items() if end > 0}
        records: list[Any] = []
        while left:
            batches = await consumer.getmany(timeout_ms=1000, max_records=5000)
            for tp, batch in batches.items():
                records.extend(batch)
                if batch and tp in left and batch[-1].offset + 1 >= left[tp]:
                    del left[tp]
        return records
    finally:
        await consumer.stop()


async def topic_names(bootstrap: str) -> list[str]:
    """Every topic on the broker except its internal ones."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, group_id=None)
    await consumer.start()
    try:
        return sorted(t for t in await consumer.topics() if not t.startswith("__"))
    finally:
        await consumer.stop()
