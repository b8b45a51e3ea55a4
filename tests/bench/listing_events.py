"""When TikTok took each stock value, to the millisecond: the catalog publishes ``ListingUpdated`` (with the
quantity now on TikTok) right after TikTok answered an inventory/update. A plain consumer reads them from
the end of ``catalog.listing-changed``; no sandbox polling, so no poll interval in the figure."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable

from aiokafka import AIOKafkaConsumer
from aiokafka.structs import TopicPartition

LISTING_TOPIC = "catalog.listing-changed"


async def start_at_end(bootstrap: str) -> AIOKafkaConsumer:
    """A consumer positioned at the current end of the topic (start it before publishing)."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False,
                                fetch_max_wait_ms=20)
    await consumer.start()
    parts = [TopicPartition(LISTING_TOPIC, p) for p in sorted(consumer.partitions_for_topic(LISTING_TOPIC) or {0})]
    consumer.assign(parts)
    await consumer.seek_to_end(*parts)
    for tp in parts:
        await consumer.position(tp)  # resolve the end now, not at the first fetch
    return consumer


async def follow(consumer: AIOKafkaConsumer, on_update: Callable[[str, int, float], None],
                 done: Callable[[], bool], *, deadline_s: float) -> None:
    """Call ``on_update(sku_id, quantity, received_at)`` for every inventory ListingUpdated until ``done()``
    or ``deadline_s`` from now."""
    end = time.monotonic() + deadline_s
    try:
        while not done() and time.monotonic() < end:
            batches = await consumer.getmany(timeout_ms=50, max_records=5_000)
            at = time.monotonic()
            for message in (m for records in batches.values() for m in records):
                event = json.loads(message.value or b"{}")
                data = event.get("data") or {}
                if event.get("type") == "ListingUpdated" and data.get("inventory") is not None and data.get("sku_id"):
                    on_update(str(data["sku_id"]), int(data["inventory"]), at)
    except asyncio.CancelledError:
        pass
    finally:
        await consumer.stop()
