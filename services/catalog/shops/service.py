"""The shops projection (from ``shops.changed``), inside the consumer's transaction."""

from __future__ import annotations

import asyncpg

from libs.common.events.shops import ShopConnected, ShopDisconnected, ShopSettingsChanged, ShopSwitches
from services.catalog.shops import repo
from services.catalog.sync import service as sync


async def apply_shop_event(
    conn: asyncpg.Connection, data: ShopConnected | ShopSettingsChanged | ShopDisconnected
) -> None:
    if isinstance(data, ShopSettingsChanged):
        switches = data.model_dump(include=set(ShopSwitches.model_fields))
        before = await repo.buffer_of(conn, data.shop_id)
        await repo.upsert_shop(conn, shop_id=data.shop_id, status=data.status, status_reason=data.reason,
                               switches=switches)
        await sync.shop_switches_changed(conn, data.shop_id,
                                         buffer_changed=before != await repo.buffer_of(conn, data.shop_id))
    elif isinstance(data, ShopConnected):
        await repo.upsert_shop(conn, shop_id=data.shop_id, status=data.status, region=data.region)
        await sync.shop_switches_changed(conn, data.shop_id)
    else:
        await repo.upsert_shop(conn, shop_id=data.shop_id, status="disconnected", status_reason=data.reason)
