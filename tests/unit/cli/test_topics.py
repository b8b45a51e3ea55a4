"""`ttshop topics ensure` without a broker: the layout wanted (production defaults, the environment, the
options, --local), the comparison with what a broker holds, and the report (table, --json, exit codes)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aiokafka.errors import KafkaConnectionError

from libs.cli import topics as cli_topics
from libs.cli.topics import wanted_layout
from libs.common.topics import (
    LOCAL_LAYOUT,
    NOT_REPORTED,
    Outcome,
    TopicLayout,
    TopicReport,
    TopicResult,
    compare,
    contract_topics,
)

from .conftest import invoke

PRODUCTION = TopicLayout(12, 3, 2)


@pytest.fixture(autouse=True)
def _no_layout_in_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("KAFKA_TOPIC_PARTITIONS", "KAFKA_REPLICATION_FACTOR", "KAFKA_MIN_INSYNC_REPLICAS"):
        monkeypatch.delenv(name, raising=False)


def test_the_defaults_are_production_ones_and_the_environment_and_options_win(monkeypatch: pytest.MonkeyPatch) -> None:
    assert wanted_layout(None, None, None, local=False) == PRODUCTION
    monkeypatch.setenv("KAFKA_TOPIC_PARTITIONS", "24")
    assert wanted_layout(None, None, None, local=False) == TopicLayout(24, 3, 2)
    assert wanted_layout(6, 2, 1, local=False) == TopicLayout(6, 2, 1)
    assert wanted_layout(None, None, None, local=True) == LOCAL_LAYOUT == TopicLayout(3, 1, 1)
    with pytest.raises(ValueError, match="KAFKA_MIN_INSYNC_REPLICAS=2 is more than KAFKA_REPLICATION_FACTOR=1"):
        wanted_layout(None, 1, None, local=False)


def test_a_topic_is_compared_field_by_field_and_an_unreported_setting_is_no_difference() -> None:
    assert compare("t", PRODUCTION, PRODUCTION) == TopicResult("t", Outcome.AS_WANTED, PRODUCTION)
    other = compare("t", TopicLayout(3, 1, 1), PRODUCTION)
    assert other.outcome is Outcome.DIFFERENT and other.differences == (
        "partitions 3, wanted 12", "replication factor 1, wanted 3", "min.insync.replicas 1, wanted 2")
    silent = compare("t", TopicLayout(12, 3, None), PRODUCTION)
    assert silent.outcome is Outcome.AS_WANTED and silent.notes == (NOT_REPORTED,)
    assert compare("t", TopicLayout(12, 1, None), PRODUCTION).differences == ("replication factor 1, wanted 3",)


def test_every_contract_topic_comes_with_its_dlq() -> None:
    names = contract_topics()
    assert "orders.downloaded" in names and "orders.downloaded.dlq" in names
    assert len(names) == len(set(names)) and sum(n.endswith(".dlq") for n in names) * 2 == len(names)


def _report(*results: TopicResult) -> TopicReport:
    return TopicReport(PRODUCTION, list(results))


def _fake_ensure(monkeypatch: pytest.MonkeyPatch, report: TopicReport, seen: list[Any]) -> None:
    async def ensure(bootstrap: str, wanted: TopicLayout) -> TopicReport:
        seen.append((bootstrap, wanted))
        return report

    monkeypatch.setattr(cli_topics, "ensure", ensure)


def test_ensure_reports_each_topic_and_exits_0_when_all_exist(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[Any] = []
    _fake_ensure(monkeypatch, _report(
        TopicResult("orders.downloaded", Outcome.CREATED, PRODUCTION),
        compare("shops.changed", TopicLayout(3, 1, None), PRODUCTION),
    ), seen)
    result = invoke(["topics", "ensure", "--local"], env={"KAFKA_BOOTSTRAP_SERVERS": "broker.test:9092"})
    assert result.exit_code == 0, result.output
    assert seen == [("broker.test:9092", LOCAL_LAYOUT)]
    lines = result.stdout.splitlines()
    assert lines[0] == "# topics: 1 created, 1 different"
    assert "orders.downloaded\tcreated\t12\t3\t2\t" in lines
    assert ("shops.changed\tdifferent\t3\t1\tnot reported\tpartitions 3, wanted 12; replication factor 1, wanted 3; "
            f"{NOT_REPORTED}") in lines
    strict = invoke(["topics", "ensure", "--strict"])
    assert strict.exit_code == 1  # --strict: a topic laid out differently fails too


def test_ensure_exits_1_when_a_topic_could_not_be_created_and_json_gives_the_report(
        monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_ensure(monkeypatch, _report(
        TopicResult("orders.downloaded", Outcome.FAILED, error="the broker refused it: InvalidReplicationFactor (38)"),
    ), [])
    result = invoke(["--json", "topics", "ensure"])
    assert result.exit_code == 1
    body = json.loads(result.stdout)
    assert body["wanted"] == {"partitions": 12, "replication_factor": 3, "min_insync_replicas": 2}
    assert body["topics"][0]["outcome"] == "failed" and "InvalidReplicationFactor" in body["topics"][0]["error"]


def test_ensure_refuses_a_layout_that_cannot_work_and_says_when_the_broker_is_unreachable(
        monkeypatch: pytest.MonkeyPatch) -> None:
    usage = invoke(["topics", "ensure", "--replication-factor", "1"])
    assert usage.exit_code == 2 and "KAFKA_MIN_INSYNC_REPLICAS=2 is more than" in " ".join(usage.stderr.split())

    async def unreachable(bootstrap: str, wanted: TopicLayout) -> TopicReport:
        raise KafkaConnectionError(f"Unable to bootstrap from {bootstrap}")

    monkeypatch.setattr(cli_topics, "ensure", unreachable)
    down = invoke(["topics", "ensure"], env={"KAFKA_BOOTSTRAP_SERVERS": "nowhere.test:9092"})
    assert down.exit_code == 1 and "cannot reach the broker at nowhere.test:9092" in " ".join(down.stderr.split())
