"""Topics against the real broker (Tansu here, Kafka with TEST_BACKEND=containers): created as asked, a second
run finds them as wanted and creates nothing, a topic laid out otherwise is reported different (and left as it
is), and a broker that does not report ``min.insync.replicas`` for a topic is said to."""

from __future__ import annotations

import asyncio
import json

import pytest
from aiokafka.admin import AIOKafkaAdminClient
from typer.testing import CliRunner

from libs.cli.main import app
from libs.common.kafka import ensure_topics
from libs.common.topics import NOT_REPORTED, Outcome, TopicLayout, contract_topics, describe, ensure

pytestmark = pytest.mark.integration
WANTED = TopicLayout(partitions=4, replication_factor=1, min_insync_replicas=1)


async def _layouts(bootstrap: str, topics: list[str]) -> dict[str, object]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        return dict(await describe(admin, topics))
    finally:
        await admin.close()


async def test_ensure_creates_then_finds_as_wanted_and_reports_a_different_topic(kafka_bootstrap: str,
                                                                                  unique: str) -> None:
    topics = [f"it-{unique}.orders", f"it-{unique}.orders.dlq"]
    first = await ensure(kafka_bootstrap, WANTED, topics)
    assert [(r.topic, r.outcome) for r in first.results] == [(t, Outcome.CREATED) for t in topics]
    assert await _layouts(kafka_bootstrap, topics) == {t: WANTED for t in topics}  # as asked, min.insync included

    again = await ensure(kafka_bootstrap, WANTED, topics)
    assert [r.outcome for r in again.results] == [Outcome.AS_WANTED] * 2 and again.ok(strict=True)
    assert not again.with_outcome(Outcome.CREATED) and all(r.found == WANTED and not r.notes for r in again.results)

    other = f"it-{unique}.other"  # made the way a service makes a missing topic: no min.insync.replicas given
    assert await ensure_topics(kafka_bootstrap, [other], partitions=2) == [other]
    [found] = (await ensure(kafka_bootstrap, WANTED, [other])).results
    assert found.outcome is Outcome.DIFFERENT and found.differences == ("partitions 2, wanted 4",)
    assert found.found is not None  # Tansu reports no min.insync.replicas it was not given; Kafka its default
    assert found.notes == ((NOT_REPORTED,) if found.found.min_insync_replicas is None else ())
    layout = await _layouts(kafka_bootstrap, [other])
    assert isinstance(layout[other], TopicLayout) and layout[other].partitions == 2  # reported, never changed


async def test_ttshop_topics_ensure_covers_every_contract_topic_and_creates_nothing_twice(kafka_bootstrap: str) -> None:
    env = {"KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap}
    runs = []
    for _ in range(2):  # the CLI runs its own event loop: call it from a thread, as a terminal would
        result = await asyncio.to_thread(CliRunner().invoke, app, ["--json", "topics", "ensure", "--local"], env=env)
        assert result.exit_code == 0, result.output
        runs.append(json.loads(result.stdout))
    for run in runs:
        assert [t["topic"] for t in run["topics"]] == contract_topics()
        assert {t["outcome"] for t in run["topics"]} <= {"created", "as wanted"}  # the suite's topics: 3 partitions
    assert not [t for t in runs[1]["topics"] if t["outcome"] == "created"]
    assert {t["found"]["partitions"] for t in runs[1]["topics"]} == {3}
