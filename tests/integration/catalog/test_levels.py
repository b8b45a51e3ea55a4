"""Catalog consumes InventoryChanged / PriceChanged from the real broker and keeps the latest level
per SKU, shop and warehouse; an older change arriving later is ignored (DESIGN.md)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest

from libs.common.events import new_event
from libs.common.events.base import EventData
from libs.common.events.inventory import InventoryChanged, PriceChanged
from libs.common.kafka import KafkaPublisher
from tests.integration.catalog.conftest import Harness

pytestmark = pytest.mark.integration

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def catalog(harness: Harness) -> tuple[str, KafkaPublisher, httpx.AsyncClient]:
    """The package's running catalog service (conftest.py); tests keep apart by their own SKUs."""
    return harness.url, harness.publisher, harness.http


async def publish(publisher: KafkaPublisher, data: EventData) -> None:
    event = new_event(data, source="tests/erp")
    await publisher.publish(data.topic, event.to_bytes(), key=data.key().encode())


async def poll(http: httpx.AsyncClient, url: str, until: Callable[[dict[str, Any]], bool],
               timeout_s: float = 40.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    body: dict[str, Any] = {}
    while time.monotonic() < deadline:
        r = await http.get(url)
        if r.status_code == 200:
            body = r.json()
            if until(body):
                return body
        await asyncio.sleep(0.1)
    raise AssertionError(f"{url} never matched; last body {body}")


def level(body: dict[str, Any], shop_id: str | None, warehouse_id: str | None) -> dict[str, Any] | None:
    return next((lv for lv in body["levels"] if (lv["shop_id"], lv["warehouse_id"]) == (shop_id, warehouse_id)),
                None)


async def test_latest_inventory_per_key_and_older_changes_ignored(catalog, unique: str) -> None:
    url, publisher, http = catalog
    sku = f"RED-{unique}"
    assert (await http.get(f"{url}/inventory/{sku}")).status_code == 404

    await publish(publisher, InventoryChanged(seller_sku=sku, available=10, occurred_at=T0))
    await publish(publisher, InventoryChanged(seller_sku=sku, available=7, occurred_at=T0 + timedelta(minutes=1)))
    # arrives last but happened first: must not overwrite 7
    await publish(publisher, InventoryChanged(seller_sku=sku, available=99, occurred_at=T0 - timedelta(minutes=1)))
    await publish(publisher, InventoryChanged(seller_sku=sku, available=3, shop_id="S1", occurred_at=T0))
    # same key (so same partition, processed after the others): marks that everything above was consumed
    await publish(publisher, InventoryChanged(seller_sku=sku, available=5, shop_id="S1", warehouse_id="W9",
                                              occurred_at=T0))

    body = await poll(http, f"{url}/inventory/{sku}", lambda b: level(b, "S1", "W9") is not None)
    everywhere = level(body, None, None)
    assert everywhere is not None and everywhere["available"] == 7
    assert everywhere["occurred_at"] == (T0 + timedelta(minutes=1)).isoformat()
    shop_level = level(body, "S1", None)
    assert shop_level is not None and shop_level["available"] == 3
    assert len(body["levels"]) == 3

    # a newer change for the SKU-wide level is applied
    await publish(publisher, InventoryChanged(seller_sku=sku, available=0, occurred_at=T0 + timedelta(hours=1)))
    body = await poll(http, f"{url}/inventory/{sku}", lambda b: (level(b, None, None) or {}).get("available") == 0)
    assert len(body["levels"]) == 3


async def test_latest_price_and_older_price_ignored(catalog, unique: str) -> None:
    url, publisher, http = catalog
    sku = f"BLUE-{unique}"
    await publish(publisher, PriceChanged(seller_sku=sku, amount=Decimal("19.99"), currency="USD",
                                          occurred_at=T0 + timedelta(minutes=5)))
    await publish(publisher, PriceChanged(seller_sku=sku, amount=Decimal("5.00"), currency="USD", occurred_at=T0))
    await publish(publisher, PriceChanged(seller_sku=sku, amount=Decimal("17.50"), currency="USD", shop_id="S1",
                                          occurred_at=T0))
    body = await poll(http, f"{url}/prices/{sku}", lambda b: len(b["prices"]) == 2)
    by_shop = {p["shop_id"]: p for p in body["prices"]}
    assert by_shop[None]["amount"] == "19.99"
    assert by_shop["S1"]["amount"] == "17.50" and by_shop["S1"]["currency"] == "USD"
