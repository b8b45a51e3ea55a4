"""R40, inside the consumer's transaction: an applied stock or price change becomes the latest level
to send to every listing of the SKU (one shop, or every shop that lists it), coalesced per listing
SKU. The worker (``uploader.py``) sends it after the commit."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import asyncpg
import structlog

from services.catalog import listing_repo, upload_repo
from services.catalog.upload_rules import Kind, skip_reason

log = structlog.get_logger(__name__)


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
    targets = await listing_repo.upload_targets(conn, seller_sku, shop_id)
    bound = log.bind(seller_sku=seller_sku, shop_id=shop_id, event_id=event_id, kind=kind.value)
    if not targets:
        bound.info("no imported TikTok listing for this SKU; nothing to upload")
        return 0
    to_send = 0
    for listing, gate in targets:
        reason = skip_reason(kind, gate, listing["listing_status"])
        queued = await upload_repo.queue(
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
    gate = await listing_repo.shop_gate(conn, shop_id)
    if not gate.known or gate.status != "active":
        return
    kinds = [k.value for k, on in ((Kind.INVENTORY, gate.allow_inventory_upload), (Kind.PRICE, gate.allow_price_upload))
             if on]
    if kinds:
        count = await upload_repo.requeue_skipped(conn, shop_id, kinds)
        if count:
            log.info("skipped uploads queued again", shop_id=shop_id, count=count, kinds=kinds)
