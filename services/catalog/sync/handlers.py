"""Kafka subscribers of the R40 sync: thin, each runs inside the consumer's transaction (inbox claim included)."""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg
from pydantic import BaseModel

from libs.common.events import CloudEvent
from libs.common.events.inventory import InventoryChanged, PriceChanged
from libs.common.runtime import ServiceRuntime
from services.catalog.sync import service


def register(runtime: ServiceRuntime, *, coalesce_s: float = 0.0) -> None:
    """``coalesce_s``: how long a queued upload waits for changes right behind it (R40). Each poll's
    changes are applied at once (coalesced per SKU, written in a few statements)."""

    async def on_inventory_changed(conn: asyncpg.Connection, events: Sequence[tuple[CloudEvent, BaseModel]]) -> None:
        changes = [(event.id, data) for event, data in events if isinstance(data, InventoryChanged)]
        await service.apply_inventory(conn, changes, coalesce_s=coalesce_s)

    async def on_price_changed(conn: asyncpg.Connection, events: Sequence[tuple[CloudEvent, BaseModel]]) -> None:
        changes = [(event.id, data) for event, data in events if isinstance(data, PriceChanged)]
        await service.apply_price(conn, changes, coalesce_s=coalesce_s)

    runtime.subscribe_batch(InventoryChanged.topic, [InventoryChanged.event_type], on_inventory_changed)
    runtime.subscribe_batch(PriceChanged.topic, [PriceChanged.event_type], on_price_changed)
