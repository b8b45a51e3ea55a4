"""Replicas of a service on a stack whose parts a test can kill (``tests.chaos.stack.ChaosStack``), and what
shows from outside that each replica worked: the members of its consumer group (on the broker) and its own
Prometheus counters (``GET /metrics`` of that process)."""

from __future__ import annotations

from collections.abc import Mapping

import httpx
from aiokafka.admin import AIOKafkaAdminClient
from prometheus_client import Counter
from prometheus_client.parser import text_string_to_metric_families

from libs.cli.dev import ChildSpec
from libs.cli.infra import free_port
from libs.common.metrics import EVENTS_CONSUMED, TIKTOK_CALLS
from tests.chaos.stack import ChaosStack


def replica_spec(first: ChildSpec, number: int) -> ChildSpec:
    """Replica ``number`` of the service ``first`` starts: the same environment (database role, consumer group,
    credentials, broker, TikTok) on a port of its own."""
    port = free_port()
    env = {**first.env, f"{first.name.upper()}_PORT": str(port)}
    return ChildSpec(f"{first.name}-{number}", first.module, env, f"http://127.0.0.1:{port}", first.probes)


async def add_replica(stack: ChaosStack, service: str, number: int = 2) -> str:
    """Start replica ``number`` of ``service`` on ``stack`` and wait until it is ready; its name there."""
    spec = replica_spec(stack.specs[service], number)
    stack.specs[spec.name], stack.urls[spec.name] = spec, spec.url
    await stack.restart(spec.name)  # start it (like a restarted part) and wait for its /readyz
    return spec.name


async def group_members(bootstrap: str, group: str) -> int:
    """How many members the consumer group has now (the embedded broker lists them, not their partitions)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        [described] = await admin.describe_consumer_groups([group])
        [found] = described.groups
        return len(found[5])  # (error_code, group, state, protocol_type, protocol, members)
    finally:
        await admin.close()


def _samples_of(counter: Counter) -> str:
    """The name of a counter's samples in the text format (``<name>_total``)."""
    [family] = counter.describe()
    return f"{family.name}_total"


def _summed(text: str, sample_name: str, match: Mapping[str, str], prefix: Mapping[str, str]) -> float:
    return sum(
        sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == sample_name
        and all(sample.labels.get(k) == v for k, v in match.items())
        and all(sample.labels.get(k, "").startswith(v) for k, v in prefix.items())
    )


async def events_consumed(http: httpx.AsyncClient, url: str, topic: str) -> float:
    """Events of ``topic`` this one process processed (``ttshop_events_consumed_total``, outcome processed)."""
    text = (await http.get(f"{url}/metrics")).raise_for_status().text
    return _summed(text, _samples_of(EVENTS_CONSUMED), {"topic": topic, "outcome": "processed"}, {})


async def tiktok_calls(http: httpx.AsyncClient, url: str, endpoint_prefix: str) -> float:
    """TikTok calls this one process sent to endpoints starting with ``endpoint_prefix`` that TikTok answered."""
    text = (await http.get(f"{url}/metrics")).raise_for_status().text
    return _summed(text, _samples_of(TIKTOK_CALLS), {"code": "0"}, {"endpoint": endpoint_prefix})
