"""Fixtures for the fulfillment service against real Postgres, the broker and the sandbox.

The service runs for real (consumers, upload worker, shipping query, outbox relay, admin API on a
port), once for this package (one consumer-group member, no rebalance per test): tests use their
own shops and orders. Its
tokens come straight from the sandbox's auth host instead of the auth service, and the events
the auth, orders and WMS sides would publish are published here on the real topics.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest
import pytest_asyncio

from libs.cli.infra import create_database
from libs.common.events import new_event
from libs.common.events.base import EventData
from libs.common.events.orders import OrderDownloaded
from libs.common.events.shops import ShopSettingsChanged
from libs.common.kafka import KafkaPublisher
from services.fulfillment.app import build_app
from services.fulfillment.settings import FulfillmentSettings
from tests.support.servers import serve_app
from tests.support.stack import collect, sandbox, shared_settings
from tests.support.tokens import SandboxTokens
from tests.support.waiting import poll_json, wait_db

UPLOAD_POLL_S = 20.0


class Harness:
    """A running fulfillment service plus helpers to drive it like the other systems would."""

    def __init__(self, *, url: str, sandbox_url: str, http: httpx.AsyncClient, publisher: KafkaPublisher,
                 tokens: SandboxTokens, dsn: str, kafka_bootstrap: str) -> None:
        self.url, self.sandbox_url, self.http = url, sandbox_url, http
        self.publisher, self.tokens, self.dsn = publisher, tokens, dsn
        self.kafka_bootstrap = kafka_bootstrap

    async def publish(self, data: EventData, *, event_id: str | None = None) -> str:
        event = new_event(data, source="tests/wms", event_id=event_id)
        await self.publisher.publish(data.topic, event.to_bytes(), key=data.key().encode())
        return event.id

    async def new_shop(self, *, tracking_upload: bool = True, query_shipping: bool = False) -> str:
        seller = await sandbox(self.http, "POST", f"{self.sandbox_url}/sandbox/sellers", json={})
        self.tokens.add_shop(seller["shop_id"], seller["shop_cipher"], seller["auth_code"])
        await self.set_tracking_upload(seller["shop_id"], tracking_upload, query_shipping=query_shipping)
        return str(seller["shop_id"])

    async def set_tracking_upload(self, shop_id: str, on: bool, *, query_shipping: bool = False) -> None:
        await self.publish(ShopSettingsChanged(
            shop_id=shop_id, allow_tracking_upload=on, allow_order_download=True,
            query_shipping_change=query_shipping, changed_at=datetime.now(UTC),
        ))
        await self.wait_db(
            "SELECT (allow_tracking_upload, query_shipping_change) FROM fulfillment.shops WHERE shop_id = $1",
            shop_id, until=lambda v: v is not None and tuple(v) == (on, query_shipping),
        )

    async def mark_shipped_calls(self, order_id: str) -> int:
        """Mark-shipped calls the sandbox served for this order (any outcome)."""
        path = f"/fulfillment/202309/orders/{order_id}/packages"
        counts = await sandbox(self.http, "GET", f"{self.sandbox_url}/sandbox/requests", params={"path": path})
        return int(counts["total"])

    async def events(self, order_id: str, *, count: int, kind: str | None = None,
                     timeout_s: float = 30.0, topic: str = "orders.status-changed") -> list[dict[str, Any]]:
        """Events about this order on the topic (OrderStatusChanged of ``kind`` by default)."""
        return await collect(
            self.kafka_bootstrap, topic, count=count, timeout_s=timeout_s,
            predicate=lambda e: e["data"]["order_id"] == order_id and (kind is None or e["data"].get("kind") == kind),
        )

    async def place_order(self, shop_id: str, lines: dict[str, int], **extra: Any) -> dict[str, Any]:
        body = {"lines": [{"seller_sku": s, "quantity": q, "unit_price": "9.99"} for s, q in lines.items()], **extra}
        return await sandbox(self.http, "POST", f"{self.sandbox_url}/sandbox/shops/{shop_id}/orders", json=body)

    async def tiktok_order(self, order_id: str) -> dict[str, Any]:
        return await sandbox(self.http, "GET", f"{self.sandbox_url}/sandbox/orders/{order_id}")

    async def download(self, shop_id: str, order: dict[str, Any], *, wait: bool = True) -> None:
        """Publish the OrderDownloaded the orders service would, from the sandbox order."""
        await self.publish(order_downloaded(shop_id, order))
        if wait:
            await self.wait_db("SELECT downloaded_at FROM fulfillment.orders WHERE order_id = $1", order["id"],
                               until=lambda v: v is not None)

    async def shipment(self, shipment_id: str, *, until: Callable[[dict[str, Any]], bool],
                       timeout_s: float = 40.0) -> dict[str, Any]:
        return await poll_json(self.http, f"{self.url}/shipments/{shipment_id}", until=until,
                               timeout_s=timeout_s, every_s=0.1)

    async def wait_db(self, sql: str, *args: Any, until: Callable[[Any], bool], timeout_s: float = 40.0) -> Any:
        return await wait_db(self.dsn, sql, *args, until=until, timeout_s=timeout_s, every_s=0.1)


def order_downloaded(shop_id: str, order: dict[str, Any]) -> OrderDownloaded:
    by_sku: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for item in order["line_items"]:
        by_sku[item["seller_sku"]].append(item)
    fbt = order["fulfillment_type"] == "FULFILLMENT_BY_TIKTOK"
    payment = order["payment"]
    return OrderDownloaded(
        shop_id=shop_id, order_id=order["id"], status="In Process", tiktok_status=order["status"],
        fulfillment_type="TIKTOK" if fbt else "SELLER", shipping_status="Unshipped",
        created_at=datetime.fromtimestamp(order["create_time"], UTC), currency=payment["currency"],
        totals={"sub_total": payment["sub_total"], "shipping_fee": payment["shipping_fee"], "tax": payment["tax"],
                "total": payment["total_amount"]},
        lines=[
            {"seller_sku": sku, "sku_id": items[0]["sku_id"], "product_id": items[0]["product_id"],
             "quantity": len(items), "unit_price": Decimal(items[0]["sale_price"]),
             "line_item_ids": [i["id"] for i in items]}
            for sku, items in by_sku.items()
        ],
        wms_should_pick=not fbt,
    )

@pytest_asyncio.fixture(scope="package", loop_scope="session")
async def fulfillment_dsn(infra: dict[str, str]) -> str:
    """One database for this package's service (tests keep apart by their own shops and orders)."""
    return await create_database(infra["dsn"], f"t_fulfillment_{uuid.uuid4().hex[:8]}")


@pytest.fixture(scope="package")
def fulfillment_settings(fulfillment_dsn: str, kafka_bootstrap: str, sandbox_url: str,
                         internal_token: str) -> FulfillmentSettings:
    return FulfillmentSettings(
        **shared_settings(pg_dsn=fulfillment_dsn, kafka_bootstrap=kafka_bootstrap, sandbox_url=sandbox_url,
                          internal_token=internal_token),
        # a long poll: uploads start because the consumer wakes the worker after each commit, and
        # retries because the worker sleeps only until the next one is due (both are tested so)
        port=0, upload_poll_s=UPLOAD_POLL_S, upload_backoff_initial_s=0.3, upload_backoff_max_s=1.0,
        shipping_query_interval_s=0.5, shipping_query_tick_s=0.2,
    )

@pytest_asyncio.fixture(scope="package", loop_scope="session")
async def harness(fulfillment_settings: FulfillmentSettings, sandbox_url: str,
                  kafka_bootstrap: str) -> AsyncIterator[Harness]:
    async with httpx.AsyncClient(timeout=30) as http:
        tokens = SandboxTokens(http, sandbox_url)
        publisher = KafkaPublisher(kafka_bootstrap, client_id="tests-fulfillment")
        await publisher.start()
        try:
            async with serve_app(build_app(fulfillment_settings, tokens=tokens)) as url:
                assert fulfillment_settings.database_url is not None
                yield Harness(url=url, sandbox_url=sandbox_url, http=http, publisher=publisher, tokens=tokens,
                              dsn=fulfillment_settings.database_url, kafka_bootstrap=kafka_bootstrap)
        finally:
            await publisher.stop()
