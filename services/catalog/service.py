"""Catalog use cases for upstream stock/price changes and the shops projection.

They run inside the consumer's transaction (inbox claim included).
"""

from __future__ import annotations

import asyncpg
import structlog

from libs.common.events.inventory import InventoryChanged, PriceChanged
from libs.common.events.shops import ShopConnected, ShopDisconnected, ShopSettingsChanged, ShopSwitches
from services.catalog import listing_repo, repo, upload_queue
from services.catalog.domain import InventoryLevel, LevelKey, PriceLevel, stale_reason

log = structlog.get_logger(__name__)


async def apply_shop_event(
    conn: asyncpg.Connection, data: ShopConnected | ShopSettingsChanged | ShopDisconnected
) -> None:
    if isinstance(data, ShopSettingsChanged):
        switches = data.model_dump(include=set(ShopSwitches.model_fields))
        await repo.upsert_shop(conn, shop_id=data.shop_id, status=data.status, status_reason=data.reason,
                               switches=switches)
        await upload_queue.shop_switches_changed(conn, data.shop_id)
    elif isinstance(data, ShopConnected):
        await repo.upsert_shop(conn, shop_id=data.shop_id, status=data.status)
        await upload_queue.shop_switches_changed(conn, data.shop_id)
    else:
        await repo.upsert_shop(conn, shop_id=data.shop_id, status="disconnected", status_reason=data.reason)


async def apply_inventory(conn: asyncpg.Connection, data: InventoryChanged, *, event_id: str,
                          coalesce_s: float = 0.0) -> bool:
    """Store the SKU's latest available quantity and queue it for every listing of the SKU (R40);
    False when the change is older than the stored one (then nothing is sent)."""
    key = LevelKey(data.seller_sku, data.shop_id, data.warehouse_id)
    bound = log.bind(seller_sku=data.seller_sku, shop_id=data.shop_id, event_id=event_id)
    reason = stale_reason(key, applied_at=await repo.inventory_applied_at(conn, key), incoming_at=data.occurred_at)
    if reason is None:
        level = InventoryLevel(key, data.available, data.occurred_at, event_id)
        if await repo.save_inventory(conn, level):
            await listing_repo.ensure_product(conn, data.seller_sku)
            queued = await upload_queue.queue_inventory(
                conn, seller_sku=data.seller_sku, shop_id=data.shop_id, warehouse_id=data.warehouse_id,
                available=data.available, occurred_at=data.occurred_at, event_id=event_id, coalesce_s=coalesce_s,
            )
            bound.info("inventory level stored", available=data.available, warehouse_id=data.warehouse_id,
                       uploads_queued=queued)
            return True
        reason = f"{key.describe()}: a newer change was stored concurrently; ignored"
    bound.info("inventory change ignored", reason=reason)
    return False


async def apply_price(conn: asyncpg.Connection, data: PriceChanged, *, event_id: str,
                      coalesce_s: float = 0.0) -> bool:
    """Store the SKU's latest price and queue it for every listing of the SKU (R40); False when the
    change is older than the stored one."""
    key = LevelKey(data.seller_sku, data.shop_id)
    bound = log.bind(seller_sku=data.seller_sku, shop_id=data.shop_id, event_id=event_id)
    reason = stale_reason(key, applied_at=await repo.price_applied_at(conn, key), incoming_at=data.occurred_at)
    if reason is None:
        level = PriceLevel(key, data.amount, data.currency, data.occurred_at, event_id)
        if await repo.save_price(conn, level):
            await listing_repo.ensure_product(conn, data.seller_sku)
            queued = await upload_queue.queue_price(
                conn, seller_sku=data.seller_sku, shop_id=data.shop_id, amount=data.amount, currency=data.currency,
                occurred_at=data.occurred_at, event_id=event_id, coalesce_s=coalesce_s,
            )
            bound.info("price stored", amount=str(data.amount), currency=data.currency, uploads_queued=queued)
            return True
        reason = f"{key.describe()}: a newer price was stored concurrently; ignored"
    bound.info("price change ignored", reason=reason)
    return False
