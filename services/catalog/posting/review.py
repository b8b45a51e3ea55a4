"""TikTok's review of posted products (R43): a PRODUCT_STATUS_CHANGE webhook (type 5) is stored on receipt
and the product read back from TikTok by a worker; a reconciliation poll of ``products/search`` by update
time catches what a lost webhook would miss. Every change of state is stored and published once as
``ListingUpdated`` (status, TikTok's reasons); the listing follows, so stock and price flow once it is live."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import asyncpg
import structlog

from libs.common.events.catalog import ListingUpdated
from libs.common.outbox import enqueue_data
from libs.common.tiktok.errors import TikTokError
from libs.common.worker import DrainWorker
from services.catalog.importing import repo as listings
from services.catalog.posting import repo
from services.catalog.posting.domain import on_sale
from services.catalog.posting.tiktok import PostingTikTok
from services.catalog.sync import repo as levels
from services.catalog.sync.domain import ACTIVE_LISTING

log = structlog.get_logger(__name__)

PRODUCT_STATUS_CHANGE = 5


def reasons_of(product: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"position": r.get("position"), "reasons": list(r.get("reasons") or []),
             "suggestions": list(r.get("suggestions") or [])} for r in product.get("audit_failed_reasons") or []]


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


class ReviewWorker(DrainWorker):
    """Reads back products named by webhooks (and found by the poll) and applies their state."""

    def __init__(self, *, pool: asyncpg.Pool, tiktok: PostingTikTok, source: str, poll_s: float = 5.0,
                 reconcile_s: float = 300.0, overlap_s: int = 600, wake_relay: Callable[[], None] = lambda: None,
                 wake_uploader: Callable[[], None] = lambda: None, clock: Callable[[], float] = time.time) -> None:
        super().__init__(poll_s=poll_s)
        self.pool, self.tiktok, self.source = pool, tiktok, source
        self.reconcile_s, self.overlap_s, self.clock = reconcile_s, overlap_s, clock
        self.wake_relay, self.wake_uploader = wake_relay, wake_uploader
        self._last_reconcile = 0.0

    async def next_due_in_s(self) -> float | None:
        async with self.pool.acquire() as conn:
            return await repo.next_check_in_s(conn)

    async def run_once(self) -> int:
        if self.clock() - self._last_reconcile >= self.reconcile_s:
            self._last_reconcile = self.clock()
            await self.reconcile()
        async with self.pool.acquire() as conn, conn.transaction():
            due = await repo.claim_checks(conn, limit=20, lease_s=60)
        changed = False
        for row in due:
            changed |= await self._check(row["shop_id"], row["product_id"], row["attempts"])
        if changed:
            self.wake_relay()
            self.wake_uploader()
        return len(due)

    async def _check(self, shop_id: str, product_id: str, attempts: int) -> bool:
        try:
            product = await self.tiktok.product(shop_id, product_id)
        except Exception as exc:  # noqa: BLE001 - TikTok or the token: the check stays, backing off
            delay = min(300.0, 2.0 ** min(attempts, 8))
            async with self.pool.acquire() as conn:
                await repo.retry_check(conn, shop_id, product_id, delay_s=delay, error=f"{type(exc).__name__}: {exc}")
            return False
        async with self.pool.acquire() as conn, conn.transaction():
            changed = await apply_state(conn, shop_id, {"id": product_id, **product}, source=self.source)
            await repo.done_check(conn, shop_id, product_id)
        return changed

    async def reconcile(self) -> int:
        """Every shop with posted products: products changed since its watermark (minus an overlap)."""
        found = 0
        async with self.pool.acquire() as conn:
            shop_ids = await repo.shops_with_postings(conn)
        for shop_id in shop_ids:
            now = int(self.clock())
            async with self.pool.acquire() as conn:
                mark = await repo.watermark(conn, shop_id, now - self.overlap_s)
            try:
                async for page in self.tiktok.changed_since(shop_id, int(mark["update_time_ge"]) - self.overlap_s):
                    async with self.pool.acquire() as conn, conn.transaction():
                        for product in page:
                            found += await apply_state(conn, shop_id, product, source=self.source)
            except TikTokError as exc:
                log.warning("review reconciliation failed", shop_id=shop_id, error=str(exc))
                continue
            async with self.pool.acquire() as conn:
                await repo.save_watermark(conn, shop_id, now)
        if found:
            self.wake_relay()
            self.wake_uploader()
        return found
