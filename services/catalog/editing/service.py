"""Updating a product already on TikTok (R38, R39): ``--partial`` sends the top-level fields that changed
since TikTok was last sent the product, ``--full`` replaces the whole product; both are built from our
record as a post is (readiness first, new files uploaded once) and send the product back to TikTok's
review. A child added since is added, a child removed is removed. ``--inventory`` / ``--price`` push
today's stored levels now through the listing uploader (no review), and answer what TikTok took."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import asyncpg
import structlog

from libs.common.events.catalog import ListingError, ListingFailed, ListingUpdated
from libs.common.outbox import enqueue_data
from libs.common.tiktok.errors import TikTokError
from services.catalog.editing.domain import Mode, dropped, edit_body, merged, sku_changes
from services.catalog.editing.tiktok import EditingTikTok
from services.catalog.importing import repo as listings
from services.catalog.posting import repo as postings
from services.catalog.posting.domain import create_body, hint, on_sale
from services.catalog.posting.service import PENDING, Poster, PostRefused, view
from services.catalog.products import repo as products
from services.catalog.sync import repo as levels
from services.catalog.sync import service as sync
from services.catalog.sync.domain import Kind

log = structlog.get_logger(__name__)


class NothingToUpdate(PostRefused):
    """The record says what TikTok already has: nothing was sent."""


@dataclass
class Editor:
    pool: asyncpg.Pool
    poster: Poster
    tiktok: EditingTikTok
    source: str
    wake_relay: Callable[[], None] = lambda: None
    wake_uploader: Callable[[], None] = lambda: None
    push_timeout_s: float = 30.0

    async def update(self, shop_id: str, seller_sku: str, mode: Mode) -> dict[str, Any]:
        """Send the record's changes (``partial``) or the whole record (``full``) to the posted product."""
        parent, children, ctx = await self.poster.prepare(shop_id, seller_sku, editing=True)
        async with self.pool.acquire() as conn:
            posting = await postings.get(conn, shop_id, seller_sku)
        assert posting is not None and posting["product_id"]
        product_id, sku_ids = str(posting["product_id"]), dict(posting["sku_ids"] or {})
        new = create_body(parent, children, ctx)
        new.pop("save_mode", None)
        body, fields = edit_body(mode, posting["sent_body"], new, sku_ids)
        if mode == "partial":
            if not fields:
                raise NothingToUpdate(f"{seller_sku} on shop {shop_id} has not changed since it was last sent to "
                                      f"TikTok (record version {parent.version}): nothing to update")
            gone = dropped(fields, new)
            if gone:
                raise PostRefused(f"{', '.join(gone)} of {seller_sku} were removed from the record: a partial "
                                  "update can only replace fields, so use `--full` to send the whole product")
        call = self.tiktok.partial_edit if mode == "partial" else self.tiktok.replace
        try:
            answer = await call(shop_id, product_id, body)
        except TikTokError as exc:
            if exc.transient:
                raise
            return await self._failed(shop_id, seller_sku, mode, ListingError(
                code=str(exc.code), message=exc.message, field=None, fix=hint(exc.code)))
        return await self._edited(shop_id, parent.seller_sku, mode, product_id, answer, new, fields,
                                  version=parent.version, posting=posting, has_children=bool(children))

    async def _edited(self, shop_id: str, seller_sku: str, mode: Mode, product_id: str, answer: dict[str, Any],
                      new: dict[str, Any], fields: list[str], *, version: int, posting: Any,
                      has_children: bool) -> dict[str, Any]:
        changes = sku_changes(new, dict(posting["sku_ids"] or {}))
        answered = {str(s.get("seller_sku")): str(s.get("id")) for s in answer.get("skus") or [] if s.get("id")}
        sku_ids = {**changes.kept, **{s: answered[s] for s in changes.added if s in answered}}
        now = datetime.now(UTC)
        async with self.pool.acquire() as conn, conn.transaction():
            await postings.edited(conn, shop_id, seller_sku, sku_ids=sku_ids, status=PENDING, version=version,
                                  body=merged(posting["sent_body"], new, mode, fields))
            listing_status, _ = on_sale(PENDING, bool(posting["live"]))
            await listings.set_listing_status(conn, shop_id, product_id, listing_status)
            added = {s: sku_ids[s] for s in changes.added if s in sku_ids}
            if added:
                await listings.add_posted(conn, shop_id, product_id=product_id, title=str(new.get("title") or ""),
                                          status=PENDING, skus=added, parent_sku=seller_sku if has_children else None)
            if changes.removed:
                await listings.remove_skus(conn, shop_id, product_id, changes.removed)
                await levels.forget_skus(conn, shop_id, product_id, list(changes.removed.values()))
            await enqueue_data(conn, ListingUpdated(
                shop_id=shop_id, seller_sku=seller_sku, product_id=product_id, fields=fields or ["product"],
                status=PENDING, updated_at=now), source=self.source)
            row = await postings.get(conn, shop_id, seller_sku)
        self.wake_relay()
        log.info("product edit sent", shop_id=shop_id, seller_sku=seller_sku, product_id=product_id, mode=mode,
                 fields=fields, skus_added=sorted(changes.added), skus_removed=sorted(changes.removed))
        return {**view(row), "mode": mode, "fields": fields, "skus_added": sorted(added),
                "skus_removed": sorted(changes.removed)}

    async def _failed(self, shop_id: str, seller_sku: str, mode: Mode, error: ListingError) -> dict[str, Any]:
        """TikTok refused the edit: the product stays as it is on TikTok; the refusal is stored and published."""
        async with self.pool.acquire() as conn, conn.transaction():
            await postings.edit_refused(conn, shop_id, seller_sku, [error.model_dump()])
            await enqueue_data(conn, ListingFailed(shop_id=shop_id, seller_sku=seller_sku, operation="update",
                                                   errors=[error], failed_at=datetime.now(UTC)), source=self.source)
            row = await postings.get(conn, shop_id, seller_sku)
        self.wake_relay()
        log.warning("product edit refused by TikTok", shop_id=shop_id, seller_sku=seller_sku, code=error.code)
        return {**view(row), "mode": mode, "fields": [], "refused": True}

    async def push(self, shop_id: str, seller_sku: str, kind: Kind) -> dict[str, Any]:
        """``--inventory`` / ``--price``: today's stored level of each SKU of the product, sent now."""
        async with self.pool.acquire() as conn, conn.transaction():
            posting = await postings.get(conn, shop_id, seller_sku)
            if posting is None or not posting["product_id"]:
                raise PostRefused(f"{seller_sku} is not on TikTok shop {shop_id}: post it first")
            skus = sorted((posting["sku_ids"] or {}).keys())
            queued, missing = 0, []
            for sku in skus:
                count = await self._queue(conn, shop_id, sku, kind)
                queued += count
                if not count:
                    missing.append(sku)
        self.wake_uploader()
        rows = await self._settled(shop_id, str(posting["product_id"]), kind, skus)
        return {"shop_id": shop_id, "seller_sku": seller_sku, "product_id": posting["product_id"],
                "kind": kind.value, "queued": queued, "no_level": missing,
                "skus": [{"seller_sku": r["seller_sku"], "sku_id": r["sku_id"], "status": r["status"],
                          "quantity": r["quantity"], "amount": None if r["amount"] is None else str(r["amount"]),
                          "currency": r["currency"], "error": r["error"]} for r in rows]}

    async def _queue(self, conn: asyncpg.Connection, shop_id: str, sku: str, kind: Kind) -> int:
        """Queue every stored level of ``sku`` that applies to the shop, to its listing on that shop (the
        newest wins per warehouse); the record's price when no price change was ever received."""
        if kind == Kind.INVENTORY:
            changes = [sync.Change(kind, sku, shop_id, lv.key.warehouse_id or "", lv.available, None, None,
                                   lv.occurred_at, lv.event_id)
                       for lv in await levels.inventory_of(conn, sku) if lv.key.shop_id in (None, shop_id)]
        else:
            changes = [sync.Change(kind, sku, shop_id, "", None, p.amount, p.currency, p.occurred_at, p.event_id)
                       for p in await levels.prices_of(conn, sku) if p.key.shop_id in (None, shop_id)]
            record = await products.get_record(conn, sku) if not changes else None
            if record is not None and record.price is not None and record.currency:
                changes = [sync.Change(kind, sku, shop_id, "", None, record.price, record.currency, datetime.now(UTC),
                                       f"record:{sku}:{record.version}")]
        return await sync.queue(conn, changes, coalesce_s=0.0) if changes else 0

    async def _settled(self, shop_id: str, product_id: str, kind: Kind, skus: list[str]) -> list[asyncpg.Record]:
        """The upload rows once none is pending (or after ``push_timeout_s``, as they stand)."""
        deadline = time.monotonic() + self.push_timeout_s
        while True:
            async with self.pool.acquire() as conn:
                rows = await levels.uploads_of_product(conn, shop_id, product_id, kind, skus)
            if all(r["status"] != "pending" for r in rows) or time.monotonic() > deadline:
                return rows
            await asyncio.sleep(0.1)
