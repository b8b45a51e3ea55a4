"""SQL for our SKUs (``products``) and the TikTok product (and SKU) ids each has on a shop
(``product_links``). Functions take the connection (and so the transaction) they are given."""

from __future__ import annotations

import asyncpg


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


async def links_of(conn: asyncpg.Connection, seller_sku: str) -> list[asyncpg.Record]:
    return list(await conn.fetch("SELECT * FROM product_links WHERE seller_sku = $1 ORDER BY shop_id", seller_sku))
