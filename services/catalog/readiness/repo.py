"""SQL for the stored readiness of each product per shop (what `products check` last found)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import asyncpg

Row = tuple[str, bool, list[dict[str, Any]], int]  # (seller SKU, ready, problems, product version)


async def previous(conn: asyncpg.Connection, shop_id: str, skus: Sequence[str]) -> dict[str, Row]:
    """The last stored result of each SKU (row-locked: one transition, one ProductReady)."""
    rows = await conn.fetch(
        "SELECT seller_sku, ready, problems, product_version FROM readiness WHERE shop_id = $1"
        " AND seller_sku = ANY($2::text[]) ORDER BY seller_sku FOR UPDATE", shop_id, list(skus))
    return {r["seller_sku"]: (r["seller_sku"], r["ready"], r["problems"], r["product_version"]) for r in rows}


async def save(conn: asyncpg.Connection, shop_id: str, rows: Sequence[Row]) -> None:
    """Store many results in one round trip (COPY into a scratch table, then one upsert)."""
    if not rows:
        return
    await conn.execute(
        "CREATE TEMP TABLE IF NOT EXISTS incoming_readiness (seller_sku text, ready boolean, problems text,"
        " product_version integer) ON COMMIT DELETE ROWS")
    records = [(sku, ready, json.dumps(problems), version) for sku, ready, problems, version in rows]
    await conn.copy_records_to_table("incoming_readiness", records=records,
                                     columns=["seller_sku", "ready", "problems", "product_version"])
    await conn.execute(
        """
        INSERT INTO readiness (shop_id, seller_sku, ready, problems, product_version)
        SELECT $1, seller_sku, ready, problems::jsonb, product_version FROM incoming_readiness
        ON CONFLICT (shop_id, seller_sku) DO UPDATE SET ready = EXCLUDED.ready, problems = EXCLUDED.problems,
            product_version = EXCLUDED.product_version, checked_at = now()
        """,
        shop_id,
    )
    await conn.execute("DELETE FROM incoming_readiness")


async def active_shops(conn: asyncpg.Connection) -> list[str]:
    return [r["shop_id"] for r in await conn.fetch("SELECT shop_id FROM shops WHERE status = 'active' ORDER BY shop_id")]


async def of_sku(conn: asyncpg.Connection, seller_sku: str) -> list[asyncpg.Record]:
    return list(await conn.fetch(
        "SELECT shop_id, ready, problems, product_version, checked_at FROM readiness WHERE seller_sku = $1"
        " ORDER BY shop_id", seller_sku))
