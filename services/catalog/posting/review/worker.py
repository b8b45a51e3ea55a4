"""TikTok's review of posted products (R43), the worker: products named by webhooks are read back from TikTok;
a reconciliation poll of ``products/search`` by update time (a watermarked import, one replica per shop)
catches what a lost webhook would miss. The listing follows, so stock and price flow once it is live."""

from __future__ import annotations

import time
from collections.abc import Callable

import asyncpg
import structlog

from libs.common.tiktok.errors import TikTokError
from libs.common.watermark import Span, Window, import_since_watermark
from libs.common.worker import DrainWorker
from services.catalog.posting import repo
from services.catalog.posting.review.service import apply_state
from services.catalog.posting.tiktok import PostingTikTok

log = structlog.get_logger(__name__)


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
        window = Window(overlap_s=self.overlap_s, initial_lookback_s=self.overlap_s)
        for shop_id in shop_ids:
            async def read(span: Span, shop_id: str = shop_id) -> None:
                nonlocal found
                async for page in self.tiktok.changed_since(shop_id, span.ge):
                    async with self.pool.acquire() as conn, conn.transaction():
                        for product in page:
                            found += await apply_state(conn, shop_id, product, source=self.source)

            try:
                await import_since_watermark(self.pool, repo.REVIEW_MARKS, window, lock="catalog-review", key=shop_id,
                                             read=read, now=int(self.clock()))
            except TikTokError as exc:  # kept on the watermark row; the next pass reads the window again
                log.warning("review reconciliation failed", shop_id=shop_id, error=str(exc))
        if found:
            self.wake_relay()
            self.wake_uploader()
        return found
