"""SQL for TikTok's listings as the last import saw them (``listings``) and the links the import makes
to our SKUs. Functions take the connection (and so the transaction) they are given."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import asyncpg

from services.catalog.importing.domain import BY_PRODUCT_ID, ListingRow
from services.catalog.products import repo as products
from services.catalog.shops.domain import ShopGate
from services.catalog.shops.repo import gate_of


async def links_by_product(conn: asyncpg.Connection, shop_id: str) -> dict[str, str]:
    """TikTok product id -> our SKU linked to it on the shop (the first by SKU if several)."""
    rows = await conn.fetch(
        "SELECT product_id, seller_sku FROM product_links WHERE shop_id = $1 ORDER BY seller_sku DESC", shop_id
    )
    return {r["product_id"]: r["seller_sku"] for r in rows}


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
            await products.ensure_product(conn, r.our_sku)  # linked by an operator; make sure it is one of ours
        await products.link_product(conn, shop_id=shop_id, seller_sku=r.our_sku, product_id=r.product_id,
                           sku_id=None if r.is_parent else r.sku_id, source="import")
    for child, parent in matrix.items():
        await conn.execute("UPDATE products SET parent_sku = $2, updated_at = now() WHERE seller_sku = $1",
                           child, parent)


async def listings_of(conn: asyncpg.Connection, seller_sku: str) -> list[asyncpg.Record]:
    return list(await conn.fetch(
        "SELECT * FROM listings WHERE our_sku = $1 ORDER BY shop_id, product_id, sku_id", seller_sku
    ))


async def upload_targets_many(conn: asyncpg.Connection, seller_skus: Sequence[str],
                              ) -> dict[str, list[tuple[asyncpg.Record, ShopGate]]]:
    """Per our SKU: the listing SKUs (not matrix parents) matched to it on every shop, with the shop."""
    rows = await conn.fetch(
        """
        SELECT l.our_sku, l.shop_id, l.product_id, l.sku_id, l.status AS listing_status,
               s.shop_id IS NOT NULL AS known, coalesce(s.status, 'unknown') AS shop_status, s.status_reason,
               coalesce(s.allow_inventory_upload, false) AS allow_inventory_upload,
               coalesce(s.allow_price_upload, false) AS allow_price_upload
        FROM listings l LEFT JOIN shops s ON s.shop_id = l.shop_id
        WHERE l.our_sku = ANY($1::text[]) AND l.sku_id <> ''
        ORDER BY l.shop_id, l.product_id, l.sku_id
        """,
        list(seller_skus),
    )
    found: dict[str, list[tuple[asyncpg.Record, ShopGate]]] = {}
    for r in rows:
        found.setdefault(r["our_sku"], []).append((r, gate_of(r)))
    return found


async def listing_statuses(conn: asyncpg.Connection, shop_id: str, product_id: str) -> dict[str, str]:
    """sku id -> TikTok status of the product's listing SKUs as we know them."""
    rows = await conn.fetch("SELECT sku_id, status FROM listings WHERE shop_id = $1 AND product_id = $2",
                            shop_id, product_id)
    return {r["sku_id"]: r["status"] for r in rows}




async def add_posted(conn: asyncpg.Connection, shop_id: str, *, product_id: str, title: str, status: str,
                     skus: dict[str, str], parent_sku: str | None) -> None:
    """A product we posted is a listing of ours at once (before any import): its SKUs receive stock and
    price changes once TikTok activates it (R40). ``skus``: our seller SKU -> TikTok SKU id."""
    rows = [(shop_id, product_id, sku_id, sku, title, status, None, sku, "posted") for sku, sku_id in skus.items()]
    if parent_sku is not None:
        rows.append((shop_id, product_id, "", parent_sku, title, status, None, parent_sku, "posted"))
    await conn.executemany(
        """
        INSERT INTO listings (shop_id, product_id, sku_id, seller_sku, title, status, parent_product_id, our_sku,
                              matched_by)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
        ON CONFLICT (shop_id, product_id, sku_id) DO UPDATE SET seller_sku = EXCLUDED.seller_sku,
            title = EXCLUDED.title, status = EXCLUDED.status, our_sku = EXCLUDED.our_sku, imported_at = now()
        """,
        rows,
    )
    for sku, sku_id in skus.items():
        await products.link_product(conn, shop_id=shop_id, seller_sku=sku, product_id=product_id,
                                    sku_id=sku_id or None, source="posted")


async def remove_skus(conn: asyncpg.Connection, shop_id: str, product_id: str, skus: dict[str, str]) -> None:
    """SKUs removed from a posted product (``skus``: our seller SKU -> TikTok SKU id): no longer listings."""
    await conn.execute("DELETE FROM listings WHERE shop_id = $1 AND product_id = $2 AND sku_id = ANY($3::text[])",
                       shop_id, product_id, list(skus.values()))
    await conn.execute("DELETE FROM product_links WHERE shop_id = $1 AND product_id = $2 AND seller_sku = ANY($3::text[])",
                       shop_id, product_id, list(skus))


async def set_listing_status(conn: asyncpg.Connection, shop_id: str, product_id: str, status: str) -> None:
    await conn.execute("UPDATE listings SET status = $3 WHERE shop_id = $1 AND product_id = $2",
                       shop_id, product_id, status)
