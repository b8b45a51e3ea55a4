"""Consumers of ``shops.changed``: keep this service's projection of the shops it downloads for. Thin: runs
inside the consumer's transaction (inbox claim included)."""

from __future__ import annotations

import asyncpg
from pydantic import BaseModel

from libs.common.events import CloudEvent, ShopConnected, ShopDisconnected, ShopSettingsChanged
from libs.common.runtime import ServiceRuntime
from services.orders.shops import service

SHOP_EVENT_TYPES = (ShopConnected.event_type, ShopSettingsChanged.event_type, ShopDisconnected.event_type)


async def on_shop_changed(conn: asyncpg.Connection, event: CloudEvent, data: BaseModel) -> None:
    assert isinstance(data, ShopConnected | ShopSettingsChanged | ShopDisconnected)
    await service.apply_shop_event(conn, data)


def register(runtime: ServiceRuntime) -> None:
    runtime.subscribe(ShopConnected.topic, SHOP_EVENT_TYPES, on_shop_changed)
