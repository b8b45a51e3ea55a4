"""Kafka subscribers of the R40 sync: thin, each runs inside the consumer's transaction (inbox claim included)."""

from __future__ import annotations

import asyncpg
from pydantic import BaseModel

from libs.common.events import CloudEvent
from libs.common.events.inventory import InventoryChanged, PriceChanged
from libs.common.runtime import ServiceRuntime
from services.catalog.sync import service


def register(runtime: ServiceRuntime, *, coalesce_s: float = 0.0) -> None:
    """``coalesce_s``: how long a queued upload waits for changes right behind it (R40)."""

    async def on_inventory_changed(conn: asyncpg.Connection, event: CloudEvent, data: BaseModel) -> None:
        assert isinstance(data, InventoryChanged)
        await service.apply_inventory(conn, data, event_id=event.id, coalesce_s=coalesce_s)

    async def on_price_changed(conn: asyncpg.Connection, event: CloudEvent, data: BaseModel) -> None:
        assert isinstance(data, PriceChanged)
        await service.apply_price(conn, data, event_id=event.id, coalesce_s=coalesce_s)

    runtime.subscribe(InventoryChanged.topic, [InventoryChanged.event_type], on_inventory_changed)
    runtime.subscribe(PriceChanged.topic, [PriceChanged.event_type], on_price_changed)
