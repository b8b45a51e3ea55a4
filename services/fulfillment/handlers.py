"""Kafka subscribers: thin, each runs inside the consumer's transaction (inbox claim included)."""

from __future__ import annotations

from datetime import UTC, datetime

import asyncpg
from pydantic import BaseModel

from libs.common.events import CloudEvent
from libs.common.events.orders import CancellationDetected, OrderDownloaded, OrderStatusChanged
from libs.common.events.shipments import ShipmentCreated
from libs.common.events.shops import ShopConnected, ShopDisconnected, ShopSettingsChanged
from libs.common.runtime import ServiceRuntime
from services.fulfillment import service
from services.fulfillment.uploads import service as uploads


async def on_shop_changed(conn: asyncpg.Connection, event: CloudEvent, data: BaseModel) -> None:
    assert isinstance(data, ShopConnected | ShopSettingsChanged | ShopDisconnected)
    await service.apply_shop_event(conn, data)


async def on_order_downloaded(conn: asyncpg.Connection, event: CloudEvent, data: BaseModel) -> None:
    assert isinstance(data, OrderDownloaded)
    await service.apply_order_downloaded(conn, data, at=event.time or datetime.now(UTC))


async def on_cancellation_detected(conn: asyncpg.Connection, event: CloudEvent, data: BaseModel) -> None:
    assert isinstance(data, CancellationDetected)
    await service.apply_cancellation(conn, data)


async def on_shipment_created(conn: asyncpg.Connection, event: CloudEvent, data: BaseModel) -> None:
    assert isinstance(data, ShipmentCreated)
    await uploads.record_shipment(conn, data, event_id=event.id)


def register(runtime: ServiceRuntime) -> None:
    runtime.subscribe(
        ShopConnected.topic,
        [ShopConnected.event_type, ShopSettingsChanged.event_type, ShopDisconnected.event_type],
        on_shop_changed,
    )
    runtime.subscribe(OrderDownloaded.topic, [OrderDownloaded.event_type], on_order_downloaded)

    async def on_order_status_changed(conn: asyncpg.Connection, event: CloudEvent, data: BaseModel) -> None:
        """Its own OrderStatusChanged (the query's results) must not queue another check."""
        assert isinstance(data, OrderStatusChanged)
        await service.apply_status_changed(conn, data, at=data.occurred_at, ours=event.source == runtime.source)

    runtime.subscribe(OrderStatusChanged.topic, [OrderStatusChanged.event_type], on_order_status_changed)
    runtime.subscribe(CancellationDetected.topic, [CancellationDetected.event_type], on_cancellation_detected)
    runtime.subscribe(ShipmentCreated.topic, [ShipmentCreated.event_type], on_shipment_created)
