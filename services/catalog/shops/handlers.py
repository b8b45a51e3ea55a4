"""Kafka subscriber of ``shops.changed``: thin, runs inside the consumer's transaction (inbox claim included)."""

from __future__ import annotations

import asyncpg
from pydantic import BaseModel

from libs.common.events import CloudEvent
from libs.common.events.shops import ShopConnected, ShopDisconnected, ShopSettingsChanged
from libs.common.runtime import ServiceRuntime
from services.catalog.shops import service


async def on_shop_changed(conn: asyncpg.Connection, event: CloudEvent, data: BaseModel) -> None:
    assert isinstance(data, ShopConnected | ShopSettingsChanged | ShopDisconnected)
    await service.apply_shop_event(conn, data)


def register(runtime: ServiceRuntime) -> None:
    runtime.subscribe(
        ShopConnected.topic,
        [ShopConnected.event_type, ShopSettingsChanged.event_type, ShopDisconnected.event_type],
        on_shop_changed,
    )
