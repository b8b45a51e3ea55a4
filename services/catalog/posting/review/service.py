"""TikTok's review of posted products (R43), the use cases: a type-5 notification queues a read-back of the
product it names; a product read back (or found by the reconciliation poll) has its state stored, and a
change is published once as ``ListingUpdated`` (status, TikTok's reasons)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import asyncpg
import structlog

from libs.common.events.catalog import ListingUpdated
from libs.common.outbox import enqueue_data
from libs.common.webhooks import TikTokNotification
from services.catalog.importing import repo as listings
from services.catalog.posting import repo
from services.catalog.posting.domain import on_sale
from services.catalog.posting.review.domain import PRODUCT_STATUS_CHANGE, reasons_of
from services.catalog.sync import repo as levels
from services.catalog.sync.domain import ACTIVE_LISTING

log = structlog.get_logger(__name__)


async def receive(pool: asyncpg.Pool, notification: TikTokNotification, *, wake: Callable[[], None]) -> dict[str, Any]:
    """Queue a read-back of the product a type-5 notification names; a re-sent one queues nothing."""
    product_id = notification.data.get("product_id")
    if notification.type != PRODUCT_STATUS_CHANGE or not product_id:
        return {"ok": True, "outcome": "ignored", "duplicate": False}
    async with pool.acquire() as conn, conn.transaction():
        if not await repo.first_delivery(conn, notification_id=notification.tts_notification_id,
                                         type_=notification.type, shop_id=notification.shop_id):
            return {"ok": True, "outcome": "duplicate", "duplicate": True}
        await repo.due_check(conn, notification.shop_id, str(product_id))
    wake()
    return {"ok": True, "outcome": "queued", "duplicate": False}


async def apply_state(conn: asyncpg.Connection, shop_id: str, product: dict[str, Any], *, source: str) -> bool:
    """Store TikTok's state of one of our products; ListingUpdated when it changed. False: not ours or same."""
    product_id = str(product.get("id") or product.get("product_id") or "")
    posting = await repo.by_product(conn, shop_id, product_id)
    if posting is None:
        return False
    status, reasons = str(product.get("status") or ""), reasons_of(product)
    if not status or not await repo.set_status(conn, shop_id, product_id, status=status, reasons=reasons):
        return False
    listing_status, live = on_sale(status, bool(posting["live"]))
    await repo.set_live(conn, shop_id, product_id, live)
    await listings.set_listing_status(conn, shop_id, product_id, listing_status)
    if listing_status == ACTIVE_LISTING:  # stock and price that waited for the review go out now
        await levels.requeue_skipped_product(conn, shop_id, product_id)
    await enqueue_data(conn, ListingUpdated(
        shop_id=shop_id, seller_sku=posting["seller_sku"], product_id=product_id, fields=["status"], status=status,
        audit_failed_reasons=reasons, updated_at=datetime.now(UTC)), source=source)
    log.info("listing state changed", shop_id=shop_id, product_id=product_id, seller_sku=posting["seller_sku"],
             status=status, reasons=len(reasons))
    return True
