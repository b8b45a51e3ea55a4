"""SQL for the shops projection and each shop's default warehouse as TikTok last said."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import asyncpg

from services.catalog.shops.domain import ShopGate


async def upsert_shop(
    conn: asyncpg.Connection,
    *,
    shop_id: str,
    status: str,
    status_reason: str | None = None,
    switches: dict[str, object] | None = None,
    region: str | None = None,
) -> None:
    """Insert or update a shop; ``switches`` (full state from ShopSettingsChanged) replace the stored ones."""
    s = switches or {}
    await conn.execute(
        """
        INSERT INTO shops (shop_id, status, status_reason, allow_inventory_upload, allow_price_upload,
                           send_brand_info, send_matrix_image, identifier_priority, region, auto_post,
                           inventory_buffer, out_of_stock_threshold)
        VALUES ($1, $2, $3, coalesce($4, false), coalesce($5, false), coalesce($6, true), coalesce($7, false),
                coalesce($8, '{UPC,EAN,GTIN,ISBN}'::text[]), $9, coalesce($10, false), coalesce($11, '0'),
                coalesce($12, 0))
        ON CONFLICT (shop_id) DO UPDATE SET
            status = EXCLUDED.status,
            status_reason = EXCLUDED.status_reason,
            allow_inventory_upload = coalesce($4, shops.allow_inventory_upload),
            allow_price_upload = coalesce($5, shops.allow_price_upload),
            send_brand_info = coalesce($6, shops.send_brand_info),
            send_matrix_image = coalesce($7, shops.send_matrix_image),
            identifier_priority = coalesce($8, shops.identifier_priority),
            region = coalesce($9, shops.region),
            auto_post = coalesce($10, shops.auto_post),
            inventory_buffer = coalesce($11, shops.inventory_buffer),
            out_of_stock_threshold = coalesce($12, shops.out_of_stock_threshold),
            updated_at = now()
        """,
        shop_id, status, status_reason,
        s.get("allow_inventory_upload"), s.get("allow_price_upload"), s.get("send_brand_info"),
        s.get("send_matrix_image"), s.get("identifier_priority"), region, s.get("auto_post"),
        s.get("inventory_buffer"), s.get("out_of_stock_threshold"),
    )


async def auto_posts(conn: asyncpg.Connection, shop_id: str) -> bool:
    """Whether the shop posts products as soon as they are ready (off by default)."""
    return bool(await conn.fetchval("SELECT auto_post AND status = 'active' FROM shops WHERE shop_id = $1", shop_id))


def gate_of(r: Mapping[str, Any]) -> ShopGate:
    return ShopGate(r["shop_id"], r["known"], r["shop_status"], r["status_reason"],
                    r["allow_inventory_upload"], r["allow_price_upload"])


async def shop_gate(conn: asyncpg.Connection, shop_id: str) -> ShopGate:
    row = await conn.fetchrow("SELECT * FROM shops WHERE shop_id = $1", shop_id)
    if row is None:
        return ShopGate(shop_id, False, "unknown", None, False, False)
    return ShopGate(shop_id, True, row["status"], row["status_reason"], row["allow_inventory_upload"],
                    row["allow_price_upload"], row["inventory_buffer"], row["out_of_stock_threshold"])


async def buffer_of(conn: asyncpg.Connection, shop_id: str) -> tuple[str, int]:
    """(inventory buffer, out-of-stock threshold) of the shop as stored (R46)."""
    row = await conn.fetchrow("SELECT inventory_buffer, out_of_stock_threshold FROM shops WHERE shop_id = $1", shop_id)
    return ("0", 0) if row is None else (row["inventory_buffer"], row["out_of_stock_threshold"])


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


async def profile(conn: asyncpg.Connection, shop_id: str) -> asyncpg.Record | None:
    """The shop as the projection holds it (status, region, product-export switches)."""
    row: asyncpg.Record | None = await conn.fetchrow("SELECT * FROM shops WHERE shop_id = $1", shop_id)
    return row
