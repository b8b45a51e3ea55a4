"""R40 use cases inside the consumer's transaction (inbox claim included): store a batch of upstream stock
or price changes, and queue the latest level for every listing of each SKU (one shop, or every shop that
lists it), coalesced per listing SKU, in a handful of statements per batch whatever its size. The worker
(``worker.py``) sends them after the commit."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal

import asyncpg
import structlog

from libs.common.events.inventory import InventoryChanged, PriceChanged
from services.catalog.importing import repo as listings
from services.catalog.products import repo as products
from services.catalog.shadows import repo as shadows
from services.catalog.shops import repo as shops
from services.catalog.sync import repo
from services.catalog.sync.domain import (
    InventoryLevel,
    Kind,
    LevelKey,
    PriceLevel,
    latest_per_key,
    skip_reason,
)

log = structlog.get_logger(__name__)



@dataclass(frozen=True)
class Change:
    """One level to queue for the listings of ``seller_sku`` (``shop_id`` None: every shop that lists it)."""

    kind: Kind
    seller_sku: str
    shop_id: str | None
    warehouse_id: str
    quantity: int | None
    amount: Decimal | None
    currency: str | None
    occurred_at: datetime
    event_id: str
    changes: int = 1  # upstream changes it stands for
    from_master: str | None = None  # R42: the master whose stock this shadow's listings take


async def apply_inventory(conn: asyncpg.Connection, changes: Sequence[tuple[str, InventoryChanged]], *,
                          coalesce_s: float = 0.0) -> int:
    """A batch of (event id, InventoryChanged), in one transaction: the newest level per (SKU, shop,
    warehouse) is stored unless a newer one is (R40), and queued for every listing of the SKU in a few
    statements for the whole batch. Returns the uploads queued to be sent."""
    given = [InventoryLevel(LevelKey(d.seller_sku, d.shop_id, d.warehouse_id), d.available, d.occurred_at, event_id)
             for event_id, d in changes]
    counts = Counter(lv.key for lv in given)
    levels = latest_per_key(given)
    stored = await repo.save_inventory_many(conn, levels)
    await products.ensure_products(conn, sorted({lv.key.seller_sku for lv in stored}))
    queued = await queue(conn, [Change(Kind.INVENTORY, lv.key.seller_sku, lv.key.shop_id, lv.key.warehouse_id or "",
                                       lv.available, None, None, lv.occurred_at, lv.event_id, counts[lv.key])
                                for lv in stored], coalesce_s=coalesce_s)
    log.info("inventory levels stored", events=len(changes), levels=len(levels), stored=len(stored),
             ignored_as_older=len(levels) - len(stored), uploads_queued=queued)
    return queued


async def apply_price(conn: asyncpg.Connection, changes: Sequence[tuple[str, PriceChanged]], *,
                      coalesce_s: float = 0.0) -> int:
    """A batch of (event id, PriceChanged): as :func:`apply_inventory`, per (SKU, shop)."""
    given = [PriceLevel(LevelKey(d.seller_sku, d.shop_id), d.amount, d.currency, d.occurred_at, event_id)
             for event_id, d in changes]
    counts = Counter(lv.key for lv in given)
    levels = latest_per_key(given)
    stored = await repo.save_price_many(conn, levels)
    await products.ensure_products(conn, sorted({lv.key.seller_sku for lv in stored}))
    queued = await queue(conn, [Change(Kind.PRICE, lv.key.seller_sku, lv.key.shop_id, "", None, lv.amount,
                                       lv.currency, lv.occurred_at, lv.event_id, counts[lv.key]) for lv in stored],
                         coalesce_s=coalesce_s)
    log.info("prices stored", events=len(changes), levels=len(levels), stored=len(stored),
             ignored_as_older=len(levels) - len(stored), uploads_queued=queued)
    return queued


async def queue(conn: asyncpg.Connection, changes: Sequence[Change], *, coalesce_s: float) -> int:
    """Queue each change for every listing SKU of its seller SKU (on its shop, or every shop), the newest
    per listing row; returns how many will be sent (the others are recorded as skipped, with the reason)."""
    changes = await _with_shadows(conn, changes)
    targets = await listings.upload_targets_many(conn, sorted({c.seller_sku for c in changes}))
    rows: dict[tuple[str, str, str, str, str], repo.QueuedUpload] = {}
    for c in changes:
        for listing, gate in targets.get(c.seller_sku, []):
            if c.shop_id is not None and listing["shop_id"] != c.shop_id:
                continue
            key = (listing["shop_id"], listing["product_id"], listing["sku_id"], c.kind.value, c.warehouse_id)
            if key in rows and rows[key].occurred_at > c.occurred_at:
                continue
            rows[key] = repo.QueuedUpload(
                shop_id=key[0], product_id=key[1], sku_id=key[2], kind=c.kind, warehouse_id=c.warehouse_id,
                seller_sku=c.seller_sku, quantity=c.quantity, amount=c.amount, currency=c.currency,
                occurred_at=c.occurred_at, event_id=c.event_id,
                skip_reason=skip_reason(c.kind, gate, listing["listing_status"]), changes=c.changes)
    return await repo.queue_many(conn, [rows[k] for k in sorted(rows)], coalesce_s=coalesce_s)


async def _with_shadows(conn: asyncpg.Connection, changes: Sequence[Change]) -> list[Change]:
    """R42: a master's stock change also goes to each of its shadows' listings; a shadow's own stock change
    does not reach its listings while it follows a master (it is stored, and sent again on unlink)."""
    stock = [c for c in changes if c.kind == Kind.INVENTORY and c.from_master is None]
    if not stock:
        return list(changes)
    skus = sorted({c.seller_sku for c in stock})
    followers, following = await shadows.shadows_of(conn, skus), await shadows.linked(conn, skus)
    out = [c for c in changes if not (c.kind == Kind.INVENTORY and c.from_master is None
                                      and c.seller_sku in following)]
    for c in stock:
        out += [replace(c, seller_sku=shadow, from_master=c.seller_sku) for shadow in followers.get(c.seller_sku, [])]
    return out


async def shop_switches_changed(conn: asyncpg.Connection, shop_id: str, *, buffer_changed: bool = False) -> None:
    """After a ShopSettingsChanged: levels skipped while a switch was off go out now that it is on; with a
    new inventory buffer or threshold (R46) the shop's stock is sent again through it."""
    gate = await shops.shop_gate(conn, shop_id)
    if not gate.known or gate.status != "active":
        return
    if buffer_changed:
        count = await repo.resend(conn, shop_id, Kind.INVENTORY)
        log.info("inventory buffer changed; the shop's stock is sent again", shop_id=shop_id, uploads=count,
                 buffer=gate.inventory_buffer, threshold=gate.out_of_stock_threshold)
    kinds = [k.value for k, on in ((Kind.INVENTORY, gate.allow_inventory_upload), (Kind.PRICE, gate.allow_price_upload))
             if on]
    if kinds:
        count = await repo.requeue_skipped(conn, shop_id, kinds)
        if count:
            log.info("skipped uploads queued again", shop_id=shop_id, count=count, kinds=kinds)
