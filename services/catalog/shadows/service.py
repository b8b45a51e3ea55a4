"""R42 use cases: link a shadow SKU to its master (the master's stock goes to the shadow's listings at
once), unlink it (the shadow's own stock, if any, goes back), and list the links."""

from __future__ import annotations

from typing import Any

import asyncpg
import structlog

from services.catalog.products import repo as products
from services.catalog.shadows import repo
from services.catalog.shadows.domain import link_refusal
from services.catalog.sync import repo as levels
from services.catalog.sync import service as sync
from services.catalog.sync.domain import Kind

log = structlog.get_logger(__name__)


class LinkRefused(Exception):
    def __init__(self, message: str, status: int = 409) -> None:
        super().__init__(message)
        self.message, self.status = message, status


async def link(pool: asyncpg.Pool, shadow: str, master: str, *, coalesce_s: float) -> dict[str, Any]:
    async with pool.acquire() as conn, conn.transaction():
        await repo.lock_links(conn)
        known = {sku for sku in (shadow, master) if await products.get_product(conn, sku) is not None}
        refusal = link_refusal(shadow, master, master_is_shadow_of=await repo.master_of(conn, master),
                               shadow_masters=await repo.followers(conn, shadow), known=known)
        if refusal is not None:
            raise LinkRefused(refusal, 404 if len(known) < 2 and shadow != master else 409)
        await repo.link(conn, shadow, master)
        await levels.forget(conn, shadow, Kind.INVENTORY)  # its listings now take the master's stock
        queued = await sync.queue(conn, [
            sync.Change(Kind.INVENTORY, shadow, lv.key.shop_id, lv.key.warehouse_id or "", lv.available, None, None,
                        lv.occurred_at, lv.event_id, from_master=master)
            for lv in await levels.inventory_of(conn, master)], coalesce_s=coalesce_s)
    log.info("shadow linked", shadow_sku=shadow, master_sku=master, uploads_queued=queued)
    return {"shadow_sku": shadow, "master_sku": master, "uploads_queued": queued}


async def unlink(pool: asyncpg.Pool, shadow: str, *, coalesce_s: float) -> dict[str, Any]:
    async with pool.acquire() as conn, conn.transaction():
        await repo.lock_links(conn)
        master = await repo.unlink(conn, shadow)
        if master is None:
            raise LinkRefused(f"{shadow} is not a shadow of any SKU", 404)
        own = await levels.inventory_of(conn, shadow)
        if own:
            await levels.forget(conn, shadow, Kind.INVENTORY)  # its own stock again, whatever the master's times
        queued = await sync.queue(conn, [
            sync.Change(Kind.INVENTORY, shadow, lv.key.shop_id, lv.key.warehouse_id or "", lv.available, None, None,
                        lv.occurred_at, lv.event_id) for lv in own], coalesce_s=coalesce_s) if own else 0
    log.info("shadow unlinked", shadow_sku=shadow, master_sku=master, uploads_queued=queued)
    return {"shadow_sku": shadow, "master_sku": master, "uploads_queued": queued,
            "note": None if own else f"no stock of {shadow}'s own is known: its listings keep the last quantity sent "
                                     "until an InventoryChanged for it arrives"}


async def links(pool: asyncpg.Pool) -> list[dict[str, Any]]:
    async with pool.acquire() as conn:
        rows = await repo.all_links(conn)
    return [{"shadow_sku": r["shadow_sku"], "master_sku": r["master_sku"], "linked_at": r["linked_at"].isoformat(),
             "listings": r["listings"]} for r in rows]
