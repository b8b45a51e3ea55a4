"""Catalog use cases for upstream stock/price changes and the shops projection.

They run inside the consumer's transaction (inbox claim included).
"""

from __future__ import annotations

import asyncpg
import structlog

from libs.common.events.inventory import InventoryChanged, PriceChanged
from libs.common.events.shops import ShopConnected, ShopDisconnected, ShopSettingsChanged, ShopSwitches
from services.catalog import repo
from services.catalog.domain import InventoryLevel, LevelKey, PriceLevel, stale_reason

log = structlog.get_logger(__name__)


async def apply_shop_event(
    conn: asyncpg.Connection, data: ShopConnected | ShopSettingsChanged | ShopDisconnected
) -> None:
    if isinstance(data, ShopSettingsChanged):
        switches = data.model_dump(include=set(ShopSwitches.model_fields))
        await repo.upsert_shop(conn, shop_id=data.shop_id, status=data.status, status_reason=data.reason,
                               switches=switches)
    elif isinstance(data, ShopConnected):
        await repo.upsert_shop(conn, shop_id=data.shop_id, status=data.status)
    else:
        await repo.upsert_shop(conn, shop_id=data.shop_id, status="disconnected", status_reason=data.reason)


async def apply_inventory(conn: asyncpg.Connection, data: InventoryChanged, *, event_id: str) -> bool:
    """Store the SKU's latest available quantity; False when the change is older than the stored one."""
    key = LevelKey(data.seller_sku, data.shop_id, data.warehouse_id)
    bound = log.bind(seller_sku=data.seller_sku, shop_id=data.shop_id, event_id=event_id)
    reason = stale_reason(key, applied_at=await repo.inventory_applied_at(conn, key), incoming_at=data.occurred_at)
    if reason is None:
        level = InventoryLevel(key, data.available, data.occurred_at, event_id)
        if await repo.save_inventory(conn, level):
            bound.info("inventory level stored", available=data.available, warehouse_id=data.warehouse_id)
            # TODO(R40): upload to TikTok (POST /product/202309/products/{id}/inventory/update) for each
            # shop listing the SKU with allow_inventory_upload on and the product enabled; a shop without
            # a default warehouse gets a clear error (ListingFailed), not a silent skip.
            return True
        reason = f"{key.describe()}: a newer change was stored concurrently; ignored"
    bound.info("inventory change ignored", reason=reason)
    return False


async def apply_price(conn: asyncpg.Connection, data: PriceChanged, *, event_id: str) -> bool:
    """Store the SKU's latest price; False when the change is older than the stored one."""
    key = LevelKey(data.seller_sku, data.shop_id)
    bound = log.bind(seller_sku=data.seller_sku, shop_id=data.shop_id, event_id=event_id)
    reason = stale_reason(key, applied_at=await repo.price_applied_at(conn, key), incoming_at=data.occurred_at)
    if reason is None:
        level = PriceLevel(key, data.amount, data.currency, data.occurred_at, event_id)
        if await repo.save_price(conn, level):
            bound.info("price stored", amount=str(data.amount), currency=data.currency)
            # TODO(R40): upload to TikTok (POST /product/202309/products/{id}/prices/update) for each shop
            # listing the SKU with allow_price_upload on and the product enabled.
            return True
        reason = f"{key.describe()}: a newer price was stored concurrently; ignored"
    bound.info("price change ignored", reason=reason)
    return False
