"""The metrics the shared machinery keeps (libs/common/metrics.py): the consumer's outcomes and handling time,
the relay's publishes, scrape-time gauges, and ``/metrics`` showing one service's samples."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
import structlog
from fastapi import FastAPI
from prometheus_client.parser import text_string_to_metric_families

from libs.common import metrics
from libs.common.consumer import EventConsumer, Record
from libs.common.credentials import Credentials
from libs.common.events import InventoryChanged, new_event
from libs.common.outbox import OutboxRelay
from libs.common.web import protect_admin_api
from tests.support.fake_runtime import FakeConn, FakePool, FakePublisher, sample

TOPIC = "inventory.changed"


@pytest.fixture
def service() -> Iterator[str]:
    """A service name of this test's own, so counts of other tests never mix in."""
    name = f"svc-{uuid.uuid4().hex[:8]}"
    metrics.bind_service(name)
    yield name
    metrics.bind_service("unknown")
    structlog.contextvars.clear_contextvars()


def record(sku: str, offset: int = 0) -> Record:
    event = new_event(InventoryChanged(seller_sku=sku, available=1, occurred_at=datetime.now(UTC)), source="test")
    return Record(TOPIC, event.to_bytes(), sku.encode(), 0, offset)


def consumer(conn: FakeConn) -> EventConsumer:
    async def apply(*_: Any) -> None:
        return None

    found = EventConsumer(pool=FakePool(conn), publisher=FakePublisher(), group_id="g")  # type: ignore[arg-type]
    found.route(TOPIC, ["InventoryChanged"], apply)
    return found


async def test_each_outcome_is_counted_by_topic_and_type_with_its_handling_time(service: str) -> None:
    await consumer(FakeConn(fresh=True)).handle_record(record("A"))
    await consumer(FakeConn(fresh=False)).handle_record(record("A"))
    await consumer(FakeConn()).handle_record(Record(TOPIC, b"{not json", None, 0, 9))

    labels = {"service": service, "topic": TOPIC, "type": "InventoryChanged"}
    assert sample("ttshop_events_consumed_total", **labels, outcome="processed") == 1
    assert sample("ttshop_events_consumed_total", **labels, outcome="duplicate") == 1
    assert sample("ttshop_events_consumed_total", service=service, topic=TOPIC, type="unparsed",
                  outcome="dead-lettered") == 1
    assert sample("ttshop_events_dead_lettered_total", service=service, topic=TOPIC, type="unparsed") == 1
    assert sample("ttshop_event_handle_seconds_count", **labels) == 2
    assert sample("ttshop_event_handle_seconds_sum", **labels) > 0


async def test_a_batch_counts_every_record_and_its_transaction_once(service: str) -> None:
    await consumer(FakeConn(fresh=True)).handle_batch([record(f"B{i}", i) for i in range(3)])
    labels = {"service": service, "topic": TOPIC, "type": "InventoryChanged"}
    assert sample("ttshop_events_consumed_total", **labels, outcome="processed") == 3
    assert sample("ttshop_event_handle_seconds_count", **labels) == 1


async def test_the_relay_counts_what_it_published_by_topic_and_type(service: str) -> None:
    rows = [{"seq": i, "event_id": f"e{i}", "event_type": kind, "topic": topic, "key": None, "payload": b"{}"}
            for i, (kind, topic) in enumerate([("OrderDownloaded", "orders.downloaded")] * 2
                                              + [("ShopConnected", "shops.changed")])]
    publisher = FakePublisher()
    relay = OutboxRelay(pool=FakePool(FakeConn(unsent=rows)), publisher=publisher, schema="s")  # type: ignore[arg-type]
    assert await relay.run_once() == 3
    assert sample("ttshop_events_published_total", service=service, topic="orders.downloaded",
                  type="OrderDownloaded") == 2
    assert sample("ttshop_events_published_total", service=service, topic="shops.changed", type="ShopConnected") == 1


async def test_a_collector_sets_its_gauge_and_drops_what_is_gone(service: str) -> None:
    values: dict[Any, float] = {("S1", "inventory"): 5.0, ("S2", "price"): 7.0}

    async def read() -> dict[Any, float]:
        return values

    collector = metrics.Collector("test", metrics.INVENTORY_SYNC_LAG, read)
    await collector.refresh(1.0)
    assert sample("ttshop_inventory_sync_lag_seconds", service=service, shop_id="S2", kind="price") == 7.0
    values = {("S1", "inventory"): 6.0}
    await collector.refresh(1.0)
    assert sample("ttshop_inventory_sync_lag_seconds", service=service, shop_id="S1", kind="inventory") == 6.0
    assert metrics.REGISTRY.get_sample_value(
        "ttshop_inventory_sync_lag_seconds", {"service": service, "shop_id": "S2", "kind": "price"}) is None


async def test_fixed_labels_and_a_failing_collector(service: str) -> None:
    async def jobs() -> dict[Any, float]:
        return {"running": 2}

    async def broken() -> dict[Any, float]:
        raise ConnectionError("database gone")

    await metrics.Collector("jobs", metrics.JOBS, jobs, {"kind": "post"}).refresh(1.0)
    await metrics.Collector("broken", metrics.JOBS, broken, {"kind": "other"}).refresh(1.0)
    assert sample("ttshop_jobs", service=service, kind="post", status="running") == 2
    assert sample("ttshop_metrics_collect_failures_total", service=service, collector="broken") == 1


def _runtime(name: str, *, ready: bool = False) -> Any:
    settings = SimpleNamespace(service_name=name)
    return SimpleNamespace(settings=settings, ready=ready, collectors=[], consumer=None)


def _app(name: str, *, open_metrics: bool = True) -> FastAPI:
    app = FastAPI()
    protect_admin_api(app, Credentials.parse("cli=secret-cli-0123456789", setting="ADMIN_API_CREDENTIALS"),
                      open_metrics=open_metrics)
    metrics.install_metrics(app, _runtime(name))

    @app.get("/shops")
    async def shops() -> dict[str, str]:
        return {}

    return app


async def _get(app: FastAPI, path: str, **headers: str) -> httpx.Response:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
        return await http.get(path, headers=headers)


async def test_metrics_shows_only_its_own_service_and_needs_no_credential(service: str) -> None:
    other = f"other-{uuid.uuid4().hex[:6]}"
    metrics.EVENTS_PUBLISHED.labels(service, "shops.changed", "ShopConnected").inc()
    metrics.EVENTS_PUBLISHED.labels(other, "shops.changed", "ShopConnected").inc()
    app = _app(service)
    answer = await _get(app, "/metrics")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/plain")
    families = {f.name: f for f in text_string_to_metric_families(answer.text)}
    published = families["ttshop_events_published"].samples
    assert {s.labels["service"] for s in published if s.name.endswith("_total")} == {service}
    assert any(s.labels.get("version") for s in families["ttshop_service_info"].samples)
    assert "process_resident_memory_bytes" in families  # the process's own, without a service label
    assert (await _get(app, "/shops")).status_code == 401


async def test_metrics_asks_for_a_credential_when_the_setting_says_so(service: str) -> None:
    app = _app(service, open_metrics=False)
    assert (await _get(app, "/metrics")).status_code == 401
    allowed = await _get(app, "/metrics", authorization="Bearer secret-cli-0123456789")
    assert allowed.status_code == 200 and "ttshop_events_consumed" in allowed.text
