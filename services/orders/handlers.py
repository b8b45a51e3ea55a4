"""Consumers of ``shops.changed``: keep this service's projection of the shops it downloads for."""

from __future__ import annotations

import asyncpg
from pydantic import BaseModel

from libs.common.events import CloudEvent, ShopConnected, ShopDisconnected, ShopSettingsChanged
from services.orders import repo, repo_queues

SHOP_EVENT_TYPES = (ShopConnected.event_type, ShopSettingsChanged.event_type, ShopDisconnected.event_type)


async def on_shop_changed(conn: asyncpg.Connection, event: CloudEvent, data: BaseModel) -> None:
    if isinstance(data, ShopConnected):
        await repo.shop_connected(conn, shop_id=data.shop_id, status=data.status, at=data.connected_at)
    elif isinstance(data, ShopSettingsChanged):
        await repo.shop_settings(
            conn, shop_id=data.shop_id, allow_order_download=data.allow_order_download,
            query_order_status_change=data.query_order_status_change,
            publish_on_hold_orders=data.publish_on_hold_orders, status=data.status, at=data.changed_at,
        )
    elif isinstance(data, ShopDisconnected):
        await repo.shop_connected(conn, shop_id=data.shop_id, status="disconnected", at=data.disconnected_at)
        return
    if isinstance(data, ShopConnected | ShopSettingsChanged) and data.status == "active":  # authorised (again): notifications held meanwhile are fetched now
        await repo_queues.release_held(conn, data.shop_id)
