"""What `ttshop status` reads from the broker itself: each consumer group's lag per topic (the end offsets less
what the group committed) and how many records each DLQ holds (end offsets less start offsets). Read with a
plain consumer and the admin client; nothing is committed and no group is joined."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient


@dataclass(frozen=True)
class GroupLag:
    """Records of ``topic`` the group has not committed yet, over its partitions."""

    group: str
    topic: str
    lag: int
    partitions: int
    committed: bool  # the group committed on at least one partition (else it reads from the start)


@dataclass
class BrokerFigures:
    lag: list[GroupLag] = field(default_factory=list)
    dlq: dict[str, int] = field(default_factory=dict)


def group_lag(group: str, topic: str, ends: Mapping[TopicPartition, int], starts: Mapping[TopicPartition, int],
              committed: Mapping[TopicPartition, int]) -> GroupLag:
    """The lag of one group on one topic; a partition without a commit counts all it holds (``earliest``)."""
    parts = [tp for tp in ends if tp.topic == topic]
    lag = sum(max(0, ends[tp] - (committed[tp] if committed.get(tp, -1) >= 0 else starts.get(tp, 0)))
              for tp in parts)
    return GroupLag(group, topic, lag, len(parts), any(committed.get(tp, -1) >= 0 for tp in parts))


async def read_figures(bootstrap: str, groups: Mapping[str, Sequence[str]], dlq_topics: Sequence[str], *,
                       only_committed: Sequence[str] = (), timeout_s: float = 10.0) -> BrokerFigures:
    """Lag of each group on each of its topics, and the size of each DLQ topic. Groups in ``only_committed``
    (a service that did not say what it consumes) show only the topics they have committed on."""
    ms = int(timeout_s * 1000)
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False,
                                request_timeout_ms=ms)
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, client_id="ttshop-status", request_timeout_ms=ms)
    await consumer.start()
    try:
        await admin.start()
        existing = await consumer.topics()
        wanted = {t for topics in groups.values() for t in topics} | set(dlq_topics)
        tps = [TopicPartition(t, p) for t in sorted(wanted & existing)
               for p in sorted(consumer.partitions_for_topic(t) or ())]
        ends = await consumer.end_offsets(tps) if tps else {}
        starts = await consumer.beginning_offsets(tps) if tps else {}
        figures = BrokerFigures(dlq={t: sum(ends[tp] - starts[tp] for tp in tps if tp.topic == t)
                                     for t in dlq_topics if t in existing})
        for group, topics in groups.items():
            mine = [tp for tp in tps if tp.topic in topics]
            if not mine:
                continue
            offsets = await admin.list_consumer_group_offsets(group, partitions=mine)
            committed = {tp: meta.offset for tp, meta in offsets.items()}
            for topic in sorted({tp.topic for tp in mine}):
                lag = group_lag(group, topic, {tp: ends[tp] for tp in mine}, starts, committed)
                if lag.committed or group not in only_committed:
                    figures.lag.append(lag)
        return figures
    finally:
        await admin.close()
        await consumer.stop()
