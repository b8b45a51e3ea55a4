"""R40 use cases inside the consumer's transaction (inbox claim included): store an upstream stock or
price change, and queue the latest level for every listing of the SKU (one shop, or every shop that
lists it), coalesced per listing SKU. The worker (``worker.py``) sends it after the commit."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import asyncpg
import structlog

from libs.common.events.inventory import InventoryChanged, PriceChanged
from services.catalog.importing import repo as listings
from services.catalog.products import repo as products
from services.catalog.shops import repo as shops
from services.catalog.sync import repo
from services.catalog.sync.domain import InventoryLevel, Kind, LevelKey, PriceLevel, skip_reason, stale_reason

log = structlog.get_logger(__name__)


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
            await products.ensure_product(conn, data.seller_sku)
            queued = await queue_inventory(
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
            await products.ensure_product(conn, data.seller_sku)
            queued = await queue_price(
                conn, seller_sku=data.seller_sku, shop_id=data.shop_id, amount=data.amount, currency=data.currency,
                occurred_at=data.occurred_at, event_id=event_id, coalesce_s=coalesce_s,
            )
            bound.info("price stored", amount=str(data.amount), currency=data.currency, uploads_queued=queued)
            return True
        reason = f"{key.describe()}: a newer price was stored concurrently; ignored"
    bound.info("price change ignored", reason=reason)
    return False


async def queue_inventory(conn: asyncpg.Connection, *, seller_sku: str, shop_id: str | None,
                          warehouse_id: str | None, available: int, occurred_at: datetime, event_id: str,
                          coalesce_s: float) -> int:
    """Queue the quantity for each listing of the SKU; returns how many rows will be sent."""
    return await _queue(conn, Kind.INVENTORY, seller_sku=seller_sku, shop_id=shop_id,
                        warehouse_id=warehouse_id or "", quantity=available, amount=None, currency=None,
                        occurred_at=occurred_at, event_id=event_id, coalesce_s=coalesce_s)


async def queue_price(conn: asyncpg.Connection, *, seller_sku: str, shop_id: str | None, amount: Decimal,
                      currency: str, occurred_at: datetime, event_id: str, coalesce_s: float) -> int:
    return await _queue(conn, Kind.PRICE, seller_sku=seller_sku, shop_id=shop_id, warehouse_id="",
                        quantity=None, amount=amount, currency=currency, occurred_at=occurred_at,
                        event_id=event_id, coalesce_s=coalesce_s)


async def _queue(conn: asyncpg.Connection, kind: Kind, *, seller_sku: str, shop_id: str | None, warehouse_id: str,
                 quantity: int | None, amount: Decimal | None, currency: str | None, occurred_at: datetime,
                 event_id: str, coalesce_s: float) -> int:
    targets = await listings.upload_targets(conn, seller_sku, shop_id)
    bound = log.bind(seller_sku=seller_sku, shop_id=shop_id, event_id=event_id, kind=kind.value)
    if not targets:
        bound.info("no imported TikTok listing for this SKU; nothing to upload")
        return 0
    to_send = 0
    for listing, gate in targets:
        reason = skip_reason(kind, gate, listing["listing_status"])
        queued = await repo.queue(
            conn, shop_id=listing["shop_id"], product_id=listing["product_id"], sku_id=listing["sku_id"], kind=kind,
            warehouse_id=warehouse_id, seller_sku=seller_sku, quantity=quantity, amount=amount, currency=currency,
            occurred_at=occurred_at, event_id=event_id, skip_reason=reason, coalesce_s=coalesce_s,
        )
        if queued and reason is None:
            to_send += 1
        elif queued:
            bound.info("upload skipped", target_shop=listing["shop_id"], reason=reason)
    return to_send


async def shop_switches_changed(conn: asyncpg.Connection, shop_id: str) -> None:
    """After a ShopSettingsChanged: levels skipped while a switch was off go out now that it is on."""
    gate = await shops.shop_gate(conn, shop_id)
    if not gate.known or gate.status != "active":
        return
    kinds = [k.value for k, on in ((Kind.INVENTORY, gate.allow_inventory_upload), (Kind.PRICE, gate.allow_price_upload))
             if on]
    if kinds:
        count = await repo.requeue_skipped(conn, shop_id, kinds)
        if count:
            log.info("skipped uploads queued again", shop_id=shop_id, count=count, kinds=kinds)
