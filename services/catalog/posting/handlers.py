"""Kafka subscriber of auto-post: thin, runs inside the consumer's transaction (inbox claim included)."""

from __future__ import annotations

import asyncpg
from pydantic import BaseModel

from libs.common.events import CloudEvent
from libs.common.events.catalog import ProductReady
from libs.common.runtime import ServiceRuntime
from services.catalog.posting.jobs import service as jobs


async def on_product_ready(conn: asyncpg.Connection, event: CloudEvent, data: BaseModel) -> None:
    assert isinstance(data, ProductReady)
    await jobs.queue_auto_post(conn, data.shop_id, data.seller_sku)


def register(runtime: ServiceRuntime) -> None:
    runtime.subscribe(ProductReady.topic, [ProductReady.event_type], on_product_ready)
