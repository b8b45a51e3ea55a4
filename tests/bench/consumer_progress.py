"""How far a service's consumer group has got on a topic, from its committed offsets (Kafka admin
API: no group membership, nothing is consumed). Splits a burst's time into "the catalog consumed
every event" and "the uploads went out"."""

from __future__ import annotations

import asyncio
import time

from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.structs import TopicPartition


class GroupProgress:
    def __init__(self, bootstrap: str, group_id: str, topic: str) -> None:
        self._admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
        self._group, self._topic = group_id, topic

    async def start(self) -> None:
        await self._admin.start()

    async def stop(self) -> None:
        await self._admin.close()

    async def committed(self, partitions: list[int]) -> dict[int, int]:
        """partition -> the group's committed offset on the topic (next record it will read; -1: none).
        The partitions are named: asking for all of a group's (a null list) is not answered by Tansu."""
        offsets = await self._admin.list_consumer_group_offsets(
            self._group, partitions=[TopicPartition(self._topic, p) for p in partitions])
        return {tp.partition: meta.offset for tp, meta in offsets.items() if tp.topic == self._topic}

    async def until(self, ends: dict[int, int], t0: float, deadline: float, every_s: float = 0.1) -> float | None:
        """Seconds from ``t0`` until the group has committed past ``ends`` (partition -> offset after
        the last record published); None at the deadline."""
        while time.monotonic() < deadline:
            committed = await self.committed(sorted(ends))
            if all(committed.get(p, -1) >= end for p, end in ends.items()):
                return time.monotonic() - t0
            await asyncio.sleep(every_s)
        return None
