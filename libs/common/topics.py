"""The contract topics and their DLQs, created with the partitions, replication and ``min.insync.replicas``
asked for, and a report of what was there: `ttshop topics ensure`, and ``python -m libs.common.topics`` (the
``topics`` one-shot of ``deploy/compose.yaml`` and the Job of ``deploy/k8s``, run before the services).

A topic that exists is never changed: one laid out differently is reported with what differs (partitions
cannot shrink and moving keys between partitions is an operator's decision). A broker that does not report
``min.insync.replicas`` (the embedded Tansu reports only what a topic was created with) is said to, not
counted as a difference. A second run creates nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from aiokafka.errors import KafkaError, for_code

from libs.common.events.registry import TOPICS, dlq_topic
from libs.common.kafka import TOPIC_ALREADY_EXISTS, create_topics
from libs.common.settings import TopicSettings

MIN_INSYNC = "min.insync.replicas"
NOT_REPORTED = f"{MIN_INSYNC} not reported by the broker"


@dataclass(frozen=True)
class TopicLayout:
    """How a topic is laid out: partitions, replicas per partition, replicas a write needs (None: not known)."""

    partitions: int
    replication_factor: int
    min_insync_replicas: int | None

    @classmethod
    def wanted(cls, settings: TopicSettings) -> TopicLayout:
        return cls(settings.kafka_topic_partitions, settings.kafka_replication_factor,
                   settings.kafka_min_insync_replicas)

    def words(self) -> str:
        return (f"{self.partitions} partitions, replication factor {self.replication_factor}, "
                f"{MIN_INSYNC} {self.min_insync_replicas}")

    def configs(self) -> dict[str, str]:
        return {} if self.min_insync_replicas is None else {MIN_INSYNC: str(self.min_insync_replicas)}


#: The local stack's topics (`ttshop dev`, tests): one broker.
LOCAL_LAYOUT = TopicLayout(partitions=3, replication_factor=1, min_insync_replicas=1)


class Outcome(StrEnum):
    CREATED = "created"
    AS_WANTED = "as wanted"
    DIFFERENT = "different"
    FAILED = "failed"


@dataclass(frozen=True)
class TopicResult:
    topic: str
    outcome: Outcome
    found: TopicLayout | None = None
    differences: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    error: str | None = None

    @property
    def detail(self) -> str:
        return "; ".join([*self.differences, *self.notes, *([self.error] if self.error else [])])


@dataclass
class TopicReport:
    wanted: TopicLayout
    results: list[TopicResult] = field(default_factory=list)

    def with_outcome(self, outcome: Outcome) -> list[TopicResult]:
        return [r for r in self.results if r.outcome is outcome]

    def ok(self, *, strict: bool = False) -> bool:
        """Every topic exists (and, ``strict``, none is laid out differently)."""
        bad = {Outcome.FAILED, Outcome.DIFFERENT} if strict else {Outcome.FAILED}
        return not any(r.outcome in bad for r in self.results)

    def summary(self) -> str:
        counts = {o: len(self.with_outcome(o)) for o in Outcome}
        return ", ".join(f"{n} {o.value}" for o, n in counts.items() if n) or "no topics"

    def as_dict(self) -> dict[str, Any]:
        return {"wanted": asdict(self.wanted), "summary": self.summary(),
                "topics": [{**asdict(r), "outcome": r.outcome.value} for r in self.results]}


def contract_topics() -> list[str]:
    """Every contract topic and its DLQ, in contract order."""
    return [*TOPICS, *(dlq_topic(t) for t in TOPICS)]


def compare(topic: str, found: TopicLayout, wanted: TopicLayout) -> TopicResult:
    """What differs between a topic as found and as wanted (nothing is changed)."""
    differences = []
    if found.partitions != wanted.partitions:
        differences.append(f"partitions {found.partitions}, wanted {wanted.partitions}")
    if found.replication_factor != wanted.replication_factor:
        differences.append(f"replication factor {found.replication_factor}, wanted {wanted.replication_factor}")
    notes: tuple[str, ...] = ()
    if found.min_insync_replicas is None:
        notes = (NOT_REPORTED,) if wanted.min_insync_replicas is not None else ()
    elif wanted.min_insync_replicas is not None and found.min_insync_replicas != wanted.min_insync_replicas:
        differences.append(f"{MIN_INSYNC} {found.min_insync_replicas}, wanted {wanted.min_insync_replicas}")
    outcome = Outcome.DIFFERENT if differences else Outcome.AS_WANTED
    return TopicResult(topic, outcome, found, tuple(differences), notes)


async def _min_insync(admin: AIOKafkaAdminClient, topics: Sequence[str]) -> dict[str, int]:
    """topic -> its ``min.insync.replicas`` where the broker reports one. All of a topic's configs are asked for
    (Tansu drops the connection when asked for named ones) and a broker that cannot answer reports none."""
    try:
        responses = await admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, t) for t in topics])
    except (KafkaError, OSError):
        return {}
    found: dict[str, int] = {}
    for response in responses:
        for error_code, _message, _type, name, entries in response.resources:
            for entry in entries if error_code == 0 else ():
                if entry[0] == MIN_INSYNC and str(entry[1]).isdigit():
                    found[name] = int(entry[1])
    return found


async def describe(admin: AIOKafkaAdminClient, topics: Sequence[str]) -> dict[str, TopicLayout | str]:
    """topic -> its layout as the broker reports it, or why it could not be described."""
    if not topics:
        return {}
    insync = await _min_insync(admin, topics)
    described: dict[str, TopicLayout | str] = {}
    for meta in await admin.describe_topics(list(topics)):
        name, code, partitions = meta["topic"], meta["error_code"], meta["partitions"]
        if code:
            described[name] = f"not described: {for_code(code).__name__} ({code})"
            continue
        replicas = min((len(p["replicas"]) for p in partitions), default=0)
        described[name] = TopicLayout(len(partitions), replicas, insync.get(name))
    return described


async def ensure(bootstrap_servers: str, wanted: TopicLayout, topics: Iterable[str] | None = None) -> TopicReport:
    """Create the topics (default: :func:`contract_topics`) that are missing, as ``wanted``; report every one."""
    names = list(topics if topics is not None else contract_topics())
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, client_id="ttshop-topics")
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        created = await create_topics(admin, [t for t in names if t not in existing],
                                      partitions=wanted.partitions, replication_factor=wanted.replication_factor,
                                      configs=wanted.configs())
        raced = [t for t, error in created.items() if error is not None and error[0] == TOPIC_ALREADY_EXISTS]
        described = await describe(admin, [t for t in names if t in existing or t in raced])
    finally:
        await admin.close()
    report = TopicReport(wanted)
    for topic in names:
        error = created.get(topic)
        found = described.get(topic)
        if topic in created and error is None:
            report.results.append(TopicResult(topic, Outcome.CREATED, wanted))
        elif isinstance(found, TopicLayout):
            report.results.append(compare(topic, found, wanted))
        else:
            reason = found or (f"the broker refused it: {error[1]} ({error[0]})" if error else "not found")
            report.results.append(TopicResult(topic, Outcome.FAILED, error=reason))
    return report


async def wait_for_topics(bootstrap_servers: str, timeout_s: float, every_s: float = 1.0) -> list[str]:
    """Wait until every contract topic exists, creating nothing; the ones still missing after ``timeout_s``."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    missing = contract_topics()
    while True:
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, client_id="ttshop-topics")
        try:
            await admin.start()
            existing = set(await admin.list_topics())
            missing = [t for t in contract_topics() if t not in existing]
        except (KafkaError, OSError):
            pass  # the broker is not up yet: keep waiting
        finally:
            await admin.close()
        if not missing or loop.time() >= deadline:
            return missing
        await asyncio.sleep(every_s)


def report_lines(report: TopicReport) -> list[str]:
    """One line per topic, then the summary: what ``python -m libs.common.topics`` prints."""
    width = max(len(o.value) for o in Outcome)
    lines = [f"{r.outcome.value:<{width}}  {r.topic}" + (f": {r.detail}" if r.detail else "") for r in report.results]
    return [*lines, f"{report.summary()} (wanted: {report.wanted.words()})"]


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m libs.common.topics [--strict] [--wait S]``: 0 when every topic exists, 1 otherwise."""
    parser = argparse.ArgumentParser(prog="python -m libs.common.topics", description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--strict", action="store_true", help="also exit 1 when a topic is laid out differently")
    parser.add_argument("--wait", type=float, metavar="S",
                        help="create nothing: wait up to S seconds until every topic exists (an init container)")
    args = parser.parse_args(argv)
    try:
        settings = TopicSettings()
    except ValueError as exc:
        print(f"topics: {exc}", file=sys.stderr)
        return 1
    if args.wait is not None:
        missing = asyncio.run(wait_for_topics(settings.kafka_bootstrap_servers, args.wait))
        if missing:
            print(f"topics still missing after {args.wait:.0f} s: {', '.join(missing)}", file=sys.stderr)
            return 1
        print(f"all {len(contract_topics())} topics exist")
        return 0
    try:
        report = asyncio.run(ensure(settings.kafka_bootstrap_servers, TopicLayout.wanted(settings)))
    except (KafkaError, OSError) as exc:
        print(f"topics not ensured: broker {settings.kafka_bootstrap_servers}: {type(exc).__name__}: {exc}",
              file=sys.stderr)
        return 1
    print("\n".join(report_lines(report)))
    return 0 if report.ok(strict=args.strict) else 1


if __name__ == "__main__":
    raise SystemExit(main())
