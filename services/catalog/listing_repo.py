"""SQL for our SKUs (``products``), their TikTok ids (``product_links``), imported ``listings`` and the
shops' default warehouses. Functions take the connection (and so the transaction) they are given."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

import asyncpg

from services.catalog.matching import BY_PRODUCT_ID, ListingRow
from services.catalog.upload_rules import ShopGate


async def ensure_product(conn: asyncpg.Connection, seller_sku: str) -> None:
    """An upstream stock or price change names one of our SKUs."""
    await conn.execute("INSERT INTO products (seller_sku) VALUES ($1) ON CONFLICT DO NOTHING", seller_sku)


async def upsert_product(conn: asyncpg.Connection, seller_sku: str, *, title: str | None,
                         parent_sku: str | None) -> None:
    await conn.execute(
        """
        INSERT INTO products (seller_sku, title, parent_sku) VALUES ($1, $2, $3)
        ON CONFLICT (seller_sku) DO UPDATE SET title = coalesce($2, products.title),
            parent_sku = coalesce($3, products.parent_sku), updated_at = now()
        """,
        seller_sku, title, parent_sku,
    )


async def get_product(conn: asyncpg.Connection, seller_sku: str) -> asyncpg.Record | None:
    return await conn.fetchrow("SELECT * FROM products WHERE seller_sku = $1", seller_sku)


async def our_skus(conn: asyncpg.Connection) -> set[str]:
    return {r["seller_sku"] for r in await conn.fetch("SELECT seller_sku FROM products")}


async def link_product(conn: asyncpg.Connection, *, shop_id: str, seller_sku: str, product_id: str,
                       sku_id: str | None, source: str) -> None:
    await conn.execute(
        """
        INSERT INTO product_links (shop_id, seller_sku, product_id, sku_id, source) VALUES ($1, $2, $3, $4, $5)
        ON CONFLICT (shop_id, seller_sku) DO UPDATE SET product_id = $3, sku_id = $4, source = $5, linked_at = now()
        """,
        shop_id, seller_sku, product_id, sku_id, source,
    )


async def links_by_product(conn: asyncpg.Connection, shop_id: str) -> dict[str, str]:
    """TikTok product id -> our SKU linked to it on the shop (the first by SKU if several)."""
    rows = await conn.fetch(
        "SELECT product_id, seller_sku FROM product_links WHERE shop_id = $1 ORDER BY seller_sku DESC", shop_id
    )
    return {r["product_id"]: r["seller_sku"] for r in rows}


async def links_of(conn: asyncpg.Connection, seller_sku: str) -> list[asyncpg.Record]:
    return list(await conn.fetch("SELECT * FROM product_links WHERE seller_sku = $1 ORDER BY shop_id", seller_sku))


async def replace_listings(conn: asyncpg.Connection, shop_id: str, rows: Iterable[ListingRow],
                           matrix: Mapping[str, str]) -> None:
    """The import's result replaces the shop's listings; matched SKUs are linked to their TikTok ids,
    and variation children to their matrix parent."""
    rows = list(rows)
    await conn.execute("DELETE FROM listings WHERE shop_id = $1", shop_id)
    await conn.executemany(
        """
        INSERT INTO listings (shop_id, product_id, sku_id, seller_sku, title, status, parent_product_id,
                              our_sku, matched_by)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
        """,
        [(shop_id, r.product_id, r.sku_id, r.seller_sku, r.title, r.status, r.parent_product_id, r.our_sku,
          r.matched_by) for r in rows],
    )
    for r in rows:
        if r.our_sku is None:
            continue
        if r.matched_by == BY_PRODUCT_ID:
            await ensure_product(conn, r.our_sku)  # linked by an operator; make sure it is one of ours
        await link_product(conn, shop_id=shop_id, seller_sku=r.our_sku, product_id=r.product_id,
                           sku_id=None if r.is_parent else r.sku_id, source="import")
    for child, parent in matrix.items():
        await conn.execute("UPDATE products SET parent_sku = $2, updated_at = now() WHERE seller_sku = $1",
                           child, parent)


async def listings_of(conn: asyncpg.Connection, seller_sku: str) -> list[asyncpg.Record]:
    return list(await conn.fetch(
        "SELECT * FROM listings WHERE our_sku = $1 ORDER BY shop_id, product_id, sku_id", seller_sku
    ))


async def upload_targets(conn: asyncpg.Connection, seller_sku: str,
                         shop_id: str | None) -> list[tuple[asyncpg.Record, ShopGate]]:
    """Listing SKUs (not matrix parents) matched to our SKU, on one shop or every shop, with the shop."""
    rows = await conn.fetch(
        """
        SELECT l.shop_id, l.product_id, l.sku_id, l.status AS listing_status, s.shop_id IS NOT NULL AS known,
               coalesce(s.status, 'unknown') AS shop_status, s.status_reason,
               coalesce(s.allow_inventory_upload, false) AS allow_inventory_upload,
               coalesce(s.allow_price_upload, false) AS allow_price_upload
        FROM listings l LEFT JOIN shops s ON s.shop_id = l.shop_id
        WHERE l.our_sku = $1 AND l.sku_id <> '' AND ($2::text IS NULL OR l.shop_id = $2)
        ORDER BY l.shop_id, l.product_id, l.sku_id
        """,
        seller_sku, shop_id,
    )
    return [(r, gate_of(r)) for r in rows]


def gate_of(r: Mapping[str, Any]) -> ShopGate:
    return ShopGate(r["shop_id"], r["known"], r["shop_status"], r["status_reason"],
                    r["allow_inventory_upload"], r["allow_price_upload"])


async def shop_gate(conn: asyncpg.Connection, shop_id: str) -> ShopGate:
    row = await conn.fetchrow("SELECT * FROM shops WHERE shop_id = $1", shop_id)
    if row is None:
        return ShopGate(shop_id, False, "unknown", None, False, False)
    return ShopGate(shop_id, True, row["status"], row["status_reason"], row["allow_inventory_upload"],
                    row["allow_price_upload"])


async def listing_status(conn: asyncpg.Connection, shop_id: str, product_id: str, sku_id: str) -> str | None:
    value: str | None = await conn.fetchval(
        "SELECT status FROM listings WHERE shop_id = $1 AND product_id = $2 AND sku_id = $3",
        shop_id, product_id, sku_id,
    )
    return value


async def cached_warehouse(conn: asyncpg.Connection, shop_id: str) -> tuple[bool, str | None, datetime | None]:
    """(cached?, default warehouse id or None, fetched_at)."""
    row = await conn.fetchrow("SELECT * FROM shop_warehouses WHERE shop_id = $1", shop_id)
    if row is None:
        return False, None, None
    return True, row["default_warehouse_id"], row["fetched_at"]


async def save_warehouse(conn: asyncpg.Connection, shop_id: str, warehouse_id: str | None) -> None:
    await conn.execute(
        """
        INSERT INTO shop_warehouses (shop_id, default_warehouse_id) VALUES ($1, $2)
        ON CONFLICT (shop_id) DO UPDATE SET default_warehouse_id = $2, fetched_at = now()
        """,
        shop_id, warehouse_id,
    )


async def forget_warehouse(conn: asyncpg.Connection, shop_id: str) -> None:
    await conn.execute("DELETE FROM shop_warehouses WHERE shop_id = $1", shop_id)
