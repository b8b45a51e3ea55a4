"""Real services against PostgreSQL, the broker and the sandbox, scraped like Prometheus would. Orders: an
event consumed moves the consumed counter and the handling-time histogram, a TikTok call is counted with its
endpoint template and code, the group's lag is asked of the broker, and ``/metrics`` answers without the admin
credential (the rest of the admin API refuses) unless METRICS_REQUIRE_CREDENTIAL says otherwise. Auth and
catalog: their own gauges (token expiry, sync lag, jobs) per shop."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import asyncpg
import httpx
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from prometheus_client.parser import text_string_to_metric_families

from libs.common.events import ShopConnected, ShopSettingsChanged, new_event
from libs.common.kafka import KafkaPublisher, ensure_topics
from libs.common.metrics import partition_lag
from services.auth.app import build_app as build_auth_app
from services.auth.settings import AuthSettings
from services.catalog.app import build_app as build_catalog_app
from services.catalog.settings import CatalogSettings
from services.orders.app import build_app
from services.orders.settings import OrdersSettings
from services.orders.tiktok import SEARCH_PATH
from tests.support.servers import serve_app
from tests.support.stack import sandbox, shared_settings
from tests.support.tokens import SandboxTokens
from tests.support.waiting import until

pytestmark = pytest.mark.integration

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


async def scrape(http: httpx.AsyncClient, url: str, **headers: str) -> Samples:
    answer = await http.get(f"{url}/metrics", headers=headers)
    assert answer.status_code == 200, answer.text
    return {(s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(answer.text) for s in family.samples}


def total(samples: Samples, name: str, **labels: str) -> float:
    """The sum of ``name``'s samples whose labels include ``labels``."""
    wanted = set(labels.items())
    return sum(value for (found, have), value in samples.items() if found == name and wanted <= have)


def present(samples: Samples, name: str, **labels: str) -> bool:
    wanted = set(labels.items())
    return any(found == name and wanted <= have for found, have in samples)


def settings(pg_dsn: str, kafka_bootstrap: str, sandbox_url: str, internal_token: str, unique: str,
             **extra: Any) -> OrdersSettings:
    return OrdersSettings(
        **shared_settings(pg_dsn=pg_dsn, kafka_bootstrap=kafka_bootstrap, sandbox_url=sandbox_url,
                          internal_token=internal_token),
        admin_api_credentials=f"cli=cli-{unique}-0123456789", consumer_group=f"g-metrics-{unique}", port=0,
        poll_interval_s=3600, **extra,
    )


async def test_a_scrape_shows_the_event_consumed_the_tiktok_call_and_the_lag(
    pg_dsn: str, kafka_bootstrap: str, sandbox_url: str, internal_token: str, unique: str,
) -> None:
    admin = {"Authorization": f"Bearer cli-{unique}-0123456789"}
    async with httpx.AsyncClient(timeout=30) as http:
        tokens = SandboxTokens(http, sandbox_url)
        seller = await sandbox(http, "POST", f"{sandbox_url}/sandbox/sellers", json={})
        shop_id = seller["shop_id"]
        tokens.add_shop(shop_id, seller["shop_cipher"], seller["auth_code"])
        app = build_app(settings(pg_dsn, kafka_bootstrap, sandbox_url, internal_token, unique), tokens=tokens)
        async with serve_app(app) as url:
            before = await scrape(http, url)  # no credential: /metrics is open by default
            refused = await http.get(f"{url}/shops")
            assert refused.status_code == 401

            publisher = KafkaPublisher(kafka_bootstrap)
            await publisher.start()
            try:
                now = datetime.now(UTC)
                for data in (ShopConnected(shop_id=shop_id, connected_at=now),
                             ShopSettingsChanged(shop_id=shop_id, allow_order_download=True, changed_at=now)):
                    event = new_event(data, source="ttshop/auth")
                    await publisher.publish(data.topic, event.to_bytes(), key=shop_id.encode())
            finally:
                await publisher.stop()

            async def shop_known() -> bool:
                shops = (await http.get(f"{url}/shops", headers=admin)).json()["shops"]
                return any(s["shop_id"] == shop_id and s["allow_order_download"] for s in shops)

            await until(shop_known, timeout_s=30, every_s=0.1, what="the shop consumed")
            polled = await http.post(f"{url}/shops/{shop_id}/poll", headers={**admin, "X-Request-ID": f"it-{unique}"})
            assert polled.status_code == 200 and polled.headers["x-request-id"] == f"it-{unique}"

            group = f"g-metrics-{unique}"

            async def caught_up() -> Samples | None:
                found = await scrape(http, url)
                lagging = present(found, "ttshop_consumer_lag", group=group, topic="shops.changed")
                return found if lagging and total(found, "ttshop_consumer_lag", group=group) == 0 else None

            after: Samples = await until(caught_up, timeout_s=30, every_s=0.2, what="the group's lag reported as 0")

    def moved(name: str, **labels: str) -> float:
        return total(after, name, service="orders", **labels) - total(before, name, service="orders", **labels)

    consumed = {"topic": "shops.changed", "type": "ShopConnected"}
    assert moved("ttshop_events_consumed_total", **consumed, outcome="processed") >= 1
    assert moved("ttshop_event_handle_seconds_count", **consumed) >= 1
    assert moved("ttshop_event_handle_seconds_bucket", **consumed, le="+Inf") >= 1
    assert moved("ttshop_tiktok_calls_total", endpoint=SEARCH_PATH, method="POST", code="0") >= 1
    assert moved("ttshop_tiktok_call_seconds_count", endpoint=SEARCH_PATH) >= 1
    assert moved("ttshop_tiktok_ratelimit_wait_seconds_count", endpoint=SEARCH_PATH) >= 1
    assert present(after, "ttshop_outbox_backlog", service="orders")
    assert present(after, "ttshop_outbox_oldest_unsent_seconds", service="orders")
    assert not present(after, "ttshop_metrics_collect_failures_total", service="orders")
    assert all(dict(labels).get("service", "orders") == "orders" for _, labels in after)


async def test_metrics_asks_for_the_admin_credential_when_the_setting_is_on(
    pg_dsn: str, kafka_bootstrap: str, sandbox_url: str, internal_token: str, unique: str,
) -> None:
    app = build_app(settings(pg_dsn, kafka_bootstrap, sandbox_url, internal_token, unique,
                             metrics_require_credential=True))
    async with serve_app(app) as url, httpx.AsyncClient(timeout=30) as http:
        assert (await http.get(f"{url}/metrics")).status_code == 401
        assert (await http.get(f"{url}/healthz")).status_code == 200
        samples = await scrape(http, url, Authorization=f"Bearer cli-{unique}-0123456789")
        assert present(samples, "ttshop_service_info", service="orders")


async def test_lag_counts_the_records_after_the_groups_committed_offset(kafka_bootstrap: str, unique: str) -> None:
    """On the real broker: nothing committed counts from the partition's start; a commit moves it."""
    topic = f"t-lag-{unique}"
    await ensure_topics(kafka_bootstrap, [topic], partitions=1)
    member = AIOKafkaConsumer(topic, bootstrap_servers=kafka_bootstrap, group_id=f"g-lag-{unique}",
                              enable_auto_commit=False, auto_offset_reset="earliest")
    publisher = KafkaPublisher(kafka_bootstrap)
    await member.start()
    await publisher.start()

    async def assigned() -> bool:
        return bool(member.assignment())

    try:
        await until(assigned, timeout_s=30, what="the partition assigned")
        await publisher.publish_many([(topic, None, b"{}")] * 5)
        await until(lambda: _lag_is(member, topic, 5), timeout_s=15, what="lag 5 with nothing committed")
        await member.commit({TopicPartition(topic, 0): 2})
        await until(lambda: _lag_is(member, topic, 3), timeout_s=15, what="lag 3 after committing offset 2")
    finally:
        await publisher.stop()
        await member.stop()


async def _lag_is(member: AIOKafkaConsumer, topic: str, expected: int) -> bool:
    return await partition_lag(member) == {(topic, 0): expected}


async def test_the_auth_service_shows_each_connected_shops_token_expiry(
    pg_dsn: str, kafka_bootstrap: str, sandbox_url: str, internal_token: str, encryption_key: str, unique: str,
) -> None:
    settings = AuthSettings(**shared_settings(pg_dsn=pg_dsn, kafka_bootstrap=kafka_bootstrap, sandbox_url=sandbox_url,
                                              internal_token=internal_token),
                            encryption_keys=encryption_key, port=0)
    async with serve_app(build_auth_app(settings)) as url, httpx.AsyncClient(timeout=30) as http:
        seller = await sandbox(http, "POST", f"{sandbox_url}/sandbox/sellers", json={"name": f"m-{unique}"})
        connected = await http.post(f"{url}/shops/connect", json={"auth_code": seller["auth_code"], "tax_id": "T-1",
                                                                   "name": f"m-{unique}"})
        assert connected.status_code == 201, connected.text
        samples = await scrape(http, url)
    expiry = total(samples, "ttshop_token_expiry_seconds", service="auth", shop_id=seller["shop_id"])
    assert 3600 < expiry < 30 * 86400  # the sandbox's tokens live for days
    assert not present(samples, "ttshop_metrics_collect_failures_total")


async def test_the_catalogs_scrape_shows_sync_lag_and_jobs_per_shop(
    pg_dsn: str, kafka_bootstrap: str, sandbox_url: str, internal_token: str, unique: str,
) -> None:
    shop_id = f"S-{unique}"
    settings = CatalogSettings(**shared_settings(pg_dsn=pg_dsn, kafka_bootstrap=kafka_bootstrap,
                                                 sandbox_url=sandbox_url, internal_token=internal_token),
                               consumer_group=f"g-metrics-{unique}", port=0)
    async with serve_app(build_catalog_app(settings)) as url, httpx.AsyncClient(timeout=30) as http:
        conn = await asyncpg.connect(pg_dsn)
        try:  # a change waiting 30 s (not due for an hour) and a bulk post paused for TikTok's daily limit
            await conn.execute(
                "INSERT INTO catalog.uploads (shop_id, product_id, sku_id, kind, seller_sku, quantity, occurred_at,"
                " event_id, status, attempts, next_attempt_at, queued_at) VALUES ($1, 'P', 'K', 'inventory', 'SKU', 1,"
                " now(), 'e', 'pending', 1, now() + interval '1 hour', now() - interval '30 seconds')", shop_id)
            await conn.execute("INSERT INTO catalog.post_jobs (id, shop_id, status, lease_until)"
                               " VALUES ($1, $2, 'paused', now() + interval '1 hour')", uuid.uuid4(), shop_id)
        finally:
            await conn.close()
        samples = await scrape(http, url)
    by_shop = {"service": "catalog", "shop_id": shop_id, "kind": "inventory"}
    assert total(samples, "ttshop_inventory_sync_waiting", **by_shop) == 1
    assert 30 <= total(samples, "ttshop_inventory_sync_lag_seconds", **by_shop) < 60
    assert total(samples, "ttshop_jobs", service="catalog", kind="post", status="paused") == 1
    assert not present(samples, "ttshop_metrics_collect_failures_total")
