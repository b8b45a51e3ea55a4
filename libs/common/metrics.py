"""Prometheus metrics of every service, each defined once here, and the ``/metrics`` endpoint.

The shared machinery counts as it goes (the consumer, the outbox relay, the TikTok client, the rate
limiter); what lives in a database (outbox backlog, sync lag, token expiry, open jobs) and the consumer
lag are read when Prometheus scrapes: the built-in ones here, a service's own through
``runtime.collect(gauge, query)`` from its ``app.py``, so this module knows no service's tables.

Every sample carries ``service``: the service whose lifespan (and so every background task and consumer
it started) or request is running, bound by :func:`bind_service`. Shared code therefore needs no service
parameter, and several apps in one process (the tests) keep their samples apart: each app's
``/metrics`` shows only its own. Labels never hold a secret; the only unbounded one is ``shop_id``,
where the figure is per shop.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from importlib import metadata
from typing import TYPE_CHECKING, Any

import structlog
from fastapi import FastAPI
from fastapi.responses import Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.core import Metric
from prometheus_client.gc_collector import GCCollector
from prometheus_client.platform_collector import PlatformCollector
from prometheus_client.process_collector import ProcessCollector

if TYPE_CHECKING:
    import asyncpg

    from libs.common.runtime import ServiceRuntime

log = structlog.get_logger(__name__)

#: One registry for the process: every metric below is created once, at import.
REGISTRY = CollectorRegistry(auto_describe=True)
ProcessCollector(registry=REGISTRY)
PlatformCollector(registry=REGISTRY)
GCCollector(registry=REGISTRY)

_SERVICE: contextvars.ContextVar[str] = contextvars.ContextVar("ttshop_metrics_service", default="unknown")

FAST = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
WAITS = (0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


def _counter(name: str, doc: str, *labels: str) -> Counter:
    return Counter(name, doc, ["service", *labels], registry=REGISTRY)


def _histogram(name: str, doc: str, *labels: str, buckets: tuple[float, ...] = FAST) -> Histogram:
    return Histogram(name, doc, ["service", *labels], registry=REGISTRY, buckets=buckets)


EVENTS_CONSUMED = _counter(
    "ttshop_events_consumed", "Events a consumer took to a final outcome (processed, duplicate, ignored, "
    "dead-lettered), by topic and type (`unparsed`: the record was no valid event).", "topic", "type", "outcome")
EVENTS_PUBLISHED = _counter(
    "ttshop_events_published", "Events the outbox relay published (acknowledged by the broker), by topic and type.",
    "topic", "type")
EVENTS_DEAD_LETTERED = _counter(
    "ttshop_events_dead_lettered", "Records a consumer sent to `<topic>.dlq`, by original topic and type.",
    "topic", "type")
HANDLE_SECONDS = _histogram(
    "ttshop_event_handle_seconds", "Time from taking an event to its outcome: its transaction, retries included "
    "(a batch's one transaction is observed once per topic and type in it).", "topic", "type")
TIKTOK_CALLS = _counter(
    "ttshop_tiktok_calls", "TikTok Open API calls sent (each attempt), by endpoint template, method and TikTok's "
    "code (`0` success, `transport`: no answer).", "endpoint", "method", "code")
TIKTOK_SECONDS = _histogram(
    "ttshop_tiktok_call_seconds", "Latency of one TikTok Open API attempt, by endpoint template.", "endpoint")
RATELIMIT_WAIT = _histogram(
    "ttshop_tiktok_ratelimit_wait_seconds", "Time a TikTok call waited for the client-side rate limit "
    "(per shop and endpoint window), by endpoint template.", "endpoint", buckets=WAITS)
COLLECT_FAILURES = _counter(
    "ttshop_metrics_collect_failures", "Scrape-time collectors that failed or timed out (their gauges keep "
    "the last value).", "collector")
SERVICE_INFO = Gauge("ttshop_service_info", "Always 1: the service and the version it runs.",
                     ["service", "version"], registry=REGISTRY)


@dataclass(frozen=True, eq=False)
class ScrapedGauge:
    """A gauge refreshed at scrape time; ``labels`` are its labels besides ``service``."""

    name: str
    gauge: Gauge
    labels: tuple[str, ...]


def _scraped(name: str, doc: str, *labels: str) -> ScrapedGauge:
    return ScrapedGauge(name, Gauge(name, doc, ["service", *labels], registry=REGISTRY), labels)


CONSUMER_LAG = _scraped(
    "ttshop_consumer_lag", "Records on the broker after the group's committed offset, per partition this member "
    "holds (sum over replicas for a group's lag).", "group", "topic", "partition")
OUTBOX_BACKLOG = _scraped("ttshop_outbox_backlog", "Outbox rows not yet published.")
OUTBOX_OLDEST = _scraped(
    "ttshop_outbox_oldest_unsent_seconds", "Age of the oldest outbox row not yet published (0: none).")
INVENTORY_SYNC_WAITING = _scraped(
    "ttshop_inventory_sync_waiting", "Stock or price changes waiting to be sent to TikTok, per shop and kind.",
    "shop_id", "kind")
INVENTORY_SYNC_LAG = _scraped(
    "ttshop_inventory_sync_lag_seconds", "Age of the oldest stock or price change waiting to be sent to TikTok, "
    "per shop and kind.", "shop_id", "kind")
TOKEN_EXPIRY = _scraped(
    "ttshop_token_expiry_seconds", "Seconds until the shop's access token expires (negative: expired), per "
    "connected shop.", "shop_id")
JOBS = _scraped("ttshop_jobs", "Jobs not finished (queued, running, paused), by kind and status.", "kind", "status")

#: ``query(conn)``: the gauge's value per label values (a tuple, or a str for one label) besides fixed ones.
Query = Callable[["asyncpg.Connection"], Awaitable[Mapping[Any, float]]]


def bind_service(name: str) -> None:
    """Count what runs from here on (this task and the tasks it starts) for ``name``; log lines carry it too."""
    _SERVICE.set(name)
    structlog.contextvars.bind_contextvars(service=name)


def current_service() -> str:
    return _SERVICE.get()


def tiktok_call(endpoint: str, method: str, code: int | str, seconds: float) -> None:
    service = _SERVICE.get()
    TIKTOK_CALLS.labels(service, endpoint, method, str(code)).inc()
    TIKTOK_SECONDS.labels(service, endpoint).observe(seconds)


@dataclass(eq=False)
class Collector:
    """One scrape-time gauge refresh: sets the gauge's samples of this service from ``read()`` and removes
    the ones it set last time that are gone (a shop disconnected, a job finished)."""

    name: str
    target: ScrapedGauge
    read: Callable[[], Awaitable[Mapping[Any, float]]]
    fixed: Mapping[str, str] = field(default_factory=dict)
    _last: set[tuple[str, ...]] = field(default_factory=set)

    def _values(self, key: Any) -> tuple[str, ...]:
        free = [n for n in self.target.labels if n not in self.fixed]
        given = key if isinstance(key, tuple) else (key,)
        if len(given) != len(free):
            raise ValueError(f"collector {self.name}: {given!r} does not give the labels {free}")
        named = {**self.fixed, **dict(zip(free, map(str, given), strict=True))}
        return (_SERVICE.get(), *(named[n] for n in self.target.labels))

    async def refresh(self, timeout_s: float) -> None:
        try:
            values = await asyncio.wait_for(self.read(), timeout=timeout_s)
            now = {self._values(key): float(value) for key, value in values.items()}
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - a scrape must answer; the failure is counted and logged
            COLLECT_FAILURES.labels(_SERVICE.get(), self.name).inc()
            log.warning("metrics.collect_failed", collector=self.name, error=f"{type(exc).__name__}: {exc}")
            return
        for stale in self._last - now.keys():
            try:
                self.target.gauge.remove(*stale)
            except KeyError:
                pass
        for labels, value in now.items():
            self.target.gauge.labels(*labels).set(value)
        self._last = set(now)


def from_database(runtime: ServiceRuntime, target: ScrapedGauge, query: Query, **fixed: str) -> Collector:
    """A collector running ``query`` on a connection of the runtime's pool."""

    async def read() -> Mapping[Any, float]:
        async with runtime.db().acquire() as conn:
            return await query(conn)

    name = target.name + "".join(f",{k}={v}" for k, v in sorted(fixed.items()))
    return Collector(name, target, read, fixed)


def _built_in(runtime: ServiceRuntime) -> list[Collector]:
    from libs.common import outbox  # here: the outbox counts what it publishes with this module

    async def backlog(conn: asyncpg.Connection) -> Mapping[Any, float]:
        return {(): await outbox.unsent_count(conn)}

    async def oldest(conn: asyncpg.Connection) -> Mapping[Any, float]:
        return {(): await outbox.oldest_unsent_age_s(conn)}

    async def lag() -> Mapping[Any, float]:
        consumer = runtime.consumer
        if consumer is None or consumer.kafka_consumer is None:
            return {}
        return {(consumer.group_id, topic, partition): behind
                for (topic, partition), behind in (await partition_lag(consumer.kafka_consumer)).items()}

    return [from_database(runtime, OUTBOX_BACKLOG, backlog), from_database(runtime, OUTBOX_OLDEST, oldest),
            Collector("consumer_lag", CONSUMER_LAG, lag)]


async def partition_lag(consumer: Any) -> dict[tuple[str, int], int]:
    """Per partition the aiokafka group member ``consumer`` holds: records on the broker after the group's
    committed offset (after the partition's start when nothing is committed). Asked of the broker each time
    (end and committed offsets), so a stuck handler shows as growing lag. The end is the higher of the listed
    end offset and the last fetch's high watermark: the embedded Tansu lists a partition's end as the last
    record batch's first offset + 1 (5 records sent as one batch: 1), while its fetches say 5."""
    held = sorted(consumer.assignment())
    if not held:
        return {}
    listed = await consumer.end_offsets(held)
    ends = {tp: max(listed[tp], consumer.highwater(tp) or 0) for tp in held}
    committed = dict(zip(held, await asyncio.gather(*(consumer.committed(tp) for tp in held)), strict=True))
    never = [tp for tp, offset in committed.items() if offset is None]
    starts = await consumer.beginning_offsets(never) if never else {}
    return {(tp.topic, tp.partition): max(0, ends[tp] - (starts[tp] if committed[tp] is None else committed[tp]))
            for tp in held}


class _ServiceView:
    """The registry's samples of one service (and those of no service: the process's own)."""

    def __init__(self, service: str) -> None:
        self._service = service

    def collect(self) -> Iterator[Metric]:
        for family in REGISTRY.collect():
            kept = Metric(family.name, family.documentation, family.type, family.unit)
            kept.samples = [s for s in family.samples if s.labels.get("service", self._service) == self._service]
            yield kept


def install_metrics(app: FastAPI, runtime: ServiceRuntime, *, timeout_s: float = 3.0) -> None:
    """Serve ``GET /metrics`` (Prometheus text format) on the service's admin port. Scrape-time collectors
    run first, side by side, each at most ``timeout_s``; before the runtime has started only counters show."""
    service = runtime.settings.service_name
    SERVICE_INFO.labels(service, _version()).set(1)
    built_in: list[Collector] = []

    @app.get("/metrics", include_in_schema=False)
    async def scrape() -> Response:
        if runtime.ready:
            if not built_in:
                built_in.extend(_built_in(runtime))
            collectors: Iterable[Collector] = [*built_in, *runtime.collectors]
            await asyncio.gather(*(c.refresh(timeout_s) for c in collectors))
        return Response(generate_latest(_ServiceView(service)), media_type=CONTENT_TYPE_LATEST)


def _version() -> str:
    try:
        return metadata.version("ttshop-connector")
    except metadata.PackageNotFoundError:
        return "unknown"
