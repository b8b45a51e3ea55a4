"""SQL for our SKUs (``products``) and the TikTok product (and SKU) ids each has on a shop
(``product_links``). Functions take the connection (and so the transaction) they are given."""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg

from services.catalog.products.domain import Product, from_json, to_json


async def ensure_product(conn: asyncpg.Connection, seller_sku: str) -> None:
    """An upstream stock or price change names one of our SKUs."""
    await conn.execute("INSERT INTO products (seller_sku) VALUES ($1) ON CONFLICT DO NOTHING", seller_sku)


async def ensure_products(conn: asyncpg.Connection, seller_skus: Sequence[str]) -> None:
    """Upstream stock or price changes name these SKUs of ours (one statement)."""
    if seller_skus:
        await conn.execute("INSERT INTO products (seller_sku) SELECT unnest($1::text[]) ON CONFLICT DO NOTHING",
                           list(seller_skus))


async def parents_of(conn: asyncpg.Connection, seller_skus: Sequence[str]) -> dict[str, str | None]:
    """seller SKU -> its matrix parent (None for a single product), in one statement."""
    rows = await conn.fetch("SELECT seller_sku, parent_sku FROM products WHERE seller_sku = ANY($1::text[])",
                            list(seller_skus))
    return {r["seller_sku"]: r["parent_sku"] for r in rows}


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


def _record(row: asyncpg.Record) -> Product:
    raw = dict(row["record"] or {})
    if not raw:  # known only from a stock/price change or the R41 import so far
        return Product(seller_sku=row["seller_sku"], parent_sku=row["parent_sku"], title=row["title"],
                       version=row["version"])
    # the columns win: the R41 import links a variation to its matrix parent in the column
    raw["seller_sku"], raw["version"], raw["parent_sku"] = row["seller_sku"], row["version"], row["parent_sku"]
    return from_json(raw)


_RECORD = "seller_sku, parent_sku, title, record, version"


async def get_record(conn: asyncpg.Connection, seller_sku: str, *, for_update: bool = False) -> Product | None:
    row = await conn.fetchrow(f"SELECT {_RECORD} FROM products WHERE seller_sku = $1"
                              + (" FOR UPDATE" if for_update else ""), seller_sku)
    return None if row is None else _record(row)


async def records(conn: asyncpg.Connection, skus: Sequence[str] | None = None) -> list[Product]:
    if skus is None:
        rows = await conn.fetch(f"SELECT {_RECORD} FROM products ORDER BY seller_sku")
    else:
        rows = await conn.fetch(f"SELECT {_RECORD} FROM products WHERE seller_sku = ANY($1::text[])"
                                " ORDER BY seller_sku", list(skus))
    return [_record(r) for r in rows]


async def lock_records(conn: asyncpg.Connection, skus: Sequence[str]) -> dict[str, Product]:
    """The records of ``skus`` that exist, row-locked in SKU order (two loads never deadlock)."""
    rows = await conn.fetch(f"SELECT {_RECORD} FROM products WHERE seller_sku = ANY($1::text[])"
                            " ORDER BY seller_sku FOR UPDATE", sorted(set(skus)))
    return {r["seller_sku"]: _record(r) for r in rows}


async def save_records(conn: asyncpg.Connection, changed: Sequence[Product]) -> None:
    def row(product: Product) -> tuple[object, ...]:
        record = to_json(product)
        del record["seller_sku"], record["version"]
        return (product.seller_sku, product.parent_sku, product.title, record, product.version, product.category_id)

    await conn.executemany(
        """
        INSERT INTO products (seller_sku, parent_sku, title, record, version, category_id)
        VALUES ($1, $2, $3, $4, $5, $6)
        ON CONFLICT (seller_sku) DO UPDATE SET parent_sku = $2, title = $3, record = $4, version = $5,
            category_id = $6, updated_at = now()
        """,
        [row(p) for p in changed],
    )


async def children_of(conn: asyncpg.Connection, parent_sku: str) -> list[Product]:
    rows = await conn.fetch(f"SELECT {_RECORD} FROM products WHERE parent_sku = $1 ORDER BY seller_sku", parent_sku)
    return [_record(r) for r in rows]


async def identifier_owners(conn: asyncpg.Connection) -> list[tuple[str, dict[str, str]]]:
    """(seller SKU, identifiers) of every product that has any (R36: one GTIN, one SKU)."""
    rows = await conn.fetch(
        "SELECT seller_sku, record -> 'identifiers' AS ids FROM products"
        " WHERE record ? 'identifiers' AND record -> 'identifiers' <> '{}'::jsonb")
    return [(r["seller_sku"], dict(r["ids"])) for r in rows]


async def family(conn: asyncpg.Connection, skus: Sequence[str]) -> list[Product]:
    """These products, their children, and their parents (a matrix is checked as a whole)."""
    rows = await conn.fetch(
        f"SELECT {_RECORD} FROM products WHERE seller_sku = ANY($1::text[]) OR parent_sku = ANY($1::text[])"
        " OR seller_sku IN (SELECT parent_sku FROM products WHERE seller_sku = ANY($1::text[]))", list(skus))
    return [_record(r) for r in rows]


async def stored_media(conn: asyncpg.Connection, skus: Sequence[str]) -> dict[str, dict[str, str]]:
    """Per SKU, source -> SHA-256 of every file its record points at (read in SQL: no record decoded)."""
    rows = await conn.fetch(
        """
        SELECT p.seller_sku, x.m ->> 'source' AS source, x.m ->> 'sha256' AS sha256
        FROM products p, LATERAL (
            SELECT p.record -> 'main_image' AS m
            UNION ALL SELECT p.record -> 'video'
            UNION ALL SELECT jsonb_array_elements(CASE WHEN jsonb_typeof(p.record -> 'images') = 'array'
                                                       THEN p.record -> 'images' ELSE '[]'::jsonb END)
            UNION ALL SELECT d -> 'media' FROM jsonb_array_elements(
                CASE WHEN jsonb_typeof(p.record -> 'documents') = 'array' THEN p.record -> 'documents'
                     ELSE '[]'::jsonb END) d
        ) x
        WHERE p.seller_sku = ANY($1::text[]) AND jsonb_typeof(x.m) = 'object' AND x.m ->> 'sha256' IS NOT NULL
        """,
        list(skus),
    )
    found: dict[str, dict[str, str]] = {}
    for r in rows:
        found.setdefault(r["seller_sku"], {})[r["source"]] = r["sha256"]
    return found
