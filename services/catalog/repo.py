"""SQL for the catalog schema (shops projection, inventory and price levels)."""

from __future__ import annotations

from datetime import datetime

import asyncpg

from services.catalog.domain import InventoryLevel, LevelKey, PriceLevel

_INVENTORY_KEY = (
    "seller_sku = $1 AND coalesce(shop_id, '') = coalesce($2, '') AND coalesce(warehouse_id, '') = coalesce($3, '')"
)


async def upsert_shop(
    conn: asyncpg.Connection,
    *,
    shop_id: str,
    status: str,
    status_reason: str | None = None,
    switches: dict[str, object] | None = None,
) -> None:
    """Insert or update a shop; ``switches`` (full state from ShopSettingsChanged) replace the stored ones."""
    s = switches or {}
    await conn.execute(
        """
        INSERT INTO shops (shop_id, status, status_reason, allow_inventory_upload, allow_price_upload,
                           send_brand_info, send_matrix_image, identifier_priority)
        VALUES ($1, $2, $3, coalesce($4, false), coalesce($5, false), coalesce($6, true), coalesce($7, false),
                coalesce($8, '{UPC,EAN,GTIN,ISBN}'::text[]))
        ON CONFLICT (shop_id) DO UPDATE SET
            status = EXCLUDED.status,
            status_reason = EXCLUDED.status_reason,
            allow_inventory_upload = coalesce($4, shops.allow_inventory_upload),
            allow_price_upload = coalesce($5, shops.allow_price_upload),
            send_brand_info = coalesce($6, shops.send_brand_info),
            send_matrix_image = coalesce($7, shops.send_matrix_image),
            identifier_priority = coalesce($8, shops.identifier_priority),
            updated_at = now()
        """,
        shop_id, status, status_reason,
        s.get("allow_inventory_upload"), s.get("allow_price_upload"), s.get("send_brand_info"),
        s.get("send_matrix_image"), s.get("identifier_priority"),
    )


async def inventory_applied_at(conn: asyncpg.Connection, key: LevelKey) -> datetime | None:
    """``occurred_at`` of the level stored for ``key`` (row locked until the transaction ends)."""
    value: datetime | None = await conn.fetchval(
        f"SELECT occurred_at FROM inventory_levels WHERE {_INVENTORY_KEY} FOR UPDATE",
        key.seller_sku, key.shop_id, key.warehouse_id,
    )
    return value


async def save_inventory(conn: asyncpg.Connection, level: InventoryLevel) -> bool:
    """Store a level unless a newer one is stored (the same rule as the domain, kept atomic here)."""
    k = level.key
    stored = await conn.fetchval(
        """
        INSERT INTO inventory_levels (seller_sku, shop_id, warehouse_id, available, occurred_at, event_id)
        VALUES ($1, $2, $3, $4, $5, $6)
        ON CONFLICT (seller_sku, (coalesce(shop_id, '')), (coalesce(warehouse_id, ''))) DO UPDATE SET
            available = EXCLUDED.available, occurred_at = EXCLUDED.occurred_at,
            event_id = EXCLUDED.event_id, updated_at = now()
        WHERE inventory_levels.occurred_at <= EXCLUDED.occurred_at
        RETURNING true
        """,
        k.seller_sku, k.shop_id, k.warehouse_id, level.available, level.occurred_at, level.event_id,
    )
    return bool(stored)


async def inventory_of(conn: asyncpg.Connection, seller_sku: str) -> list[InventoryLevel]:
    rows = await conn.fetch(
        "SELECT * FROM inventory_levels WHERE seller_sku = $1 ORDER BY shop_id NULLS FIRST, warehouse_id NULLS FIRST",
        seller_sku,
    )
    return [
        InventoryLevel(
            LevelKey(r["seller_sku"], r["shop_id"], r["warehouse_id"]), r["available"], r["occurred_at"],
            r["event_id"], r["updated_at"],
        )
        for r in rows
    ]


async def price_applied_at(conn: asyncpg.Connection, key: LevelKey) -> datetime | None:
    value: datetime | None = await conn.fetchval(
        "SELECT occurred_at FROM price_levels WHERE seller_sku = $1 AND coalesce(shop_id, '') = coalesce($2, '')"
        " FOR UPDATE",
        key.seller_sku, key.shop_id,
    )
    return value


async def save_price(conn: asyncpg.Connection, level: PriceLevel) -> bool:
    k = level.key
    stored = await conn.fetchval(
        """
        INSERT INTO price_levels (seller_sku, shop_id, amount, currency, occurred_at, event_id)
        VALUES ($1, $2, $3, $4, $5, $6)
        ON CONFLICT (seller_sku, (coalesce(shop_id, ''))) DO UPDATE SET
            amount = EXCLUDED.amount, currency = EXCLUDED.currency, occurred_at = EXCLUDED.occurred_at,
            event_id = EXCLUDED.event_id, updated_at = now()
        WHERE price_levels.occurred_at <= EXCLUDED.occurred_at
        RETURNING true
        """,
        k.seller_sku, k.shop_id, level.amount, level.currency, level.occurred_at, level.event_id,
    )
    return bool(stored)


async def prices_of(conn: asyncpg.Connection, seller_sku: str) -> list[PriceLevel]:
    rows = await conn.fetch(
        "SELECT * FROM price_levels WHERE seller_sku = $1 ORDER BY shop_id NULLS FIRST", seller_sku
    )
    return [
        PriceLevel(LevelKey(r["seller_sku"], r["shop_id"]), r["amount"], r["currency"], r["occurred_at"],
                   r["event_id"], r["updated_at"])
        for r in rows
    ]
