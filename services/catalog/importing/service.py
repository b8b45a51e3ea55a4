"""R41 product import: a one-time download of a shop's active TikTok listings, matched to our SKUs."""

from __future__ import annotations

import asyncpg
import structlog

from services.catalog.importing import repo
from services.catalog.importing.domain import ImportCounts, RemoteProduct, match_listings, matrix_links
from services.catalog.importing.tiktok import ImportTikTok
from services.catalog.products import repo as product_repo

log = structlog.get_logger(__name__)


async def import_products(pool: asyncpg.Pool, tiktok: ImportTikTok, shop_id: str, *,
                          page_size: int = 100) -> ImportCounts:
    """Download every page first (no transaction held over TikTok calls), then replace the shop's
    listings, links and matrix in one transaction."""
    remote: list[RemoteProduct] = []
    async for page in tiktok.active_products(shop_id, page_size=page_size):
        remote.extend(RemoteProduct.from_wire(p) for p in page)
    async with pool.acquire() as conn, conn.transaction():
        rows, counts = match_listings(remote, our_skus=await product_repo.our_skus(conn),
                                      linked=await repo.links_by_product(conn, shop_id))
        await repo.replace_listings(conn, shop_id, rows, matrix_links(rows))
    log.info("product import finished", shop_id=shop_id, listings=counts.listings, skus=counts.skus,
             matched=counts.matched, unmatched=counts.unmatched, parents=counts.parents)
    return counts
