"""SQL for the stored readiness of each product per shop (what `products check` last found)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import asyncpg


async def previous(conn: asyncpg.Connection, shop_id: str, skus: Sequence[str]) -> dict[str, bool]:
    """Whether each SKU was ready at its last check (row-locked: one transition, one ProductReady)."""
    rows = await conn.fetch(
        "SELECT seller_sku, ready FROM readiness WHERE shop_id = $1 AND seller_sku = ANY($2::text[])"
        " ORDER BY seller_sku FOR UPDATE", shop_id, list(skus))
    return {r["seller_sku"]: r["ready"] for r in rows}


async def save(conn: asyncpg.Connection, shop_id: str, rows: Sequence[tuple[str, bool, list[dict[str, Any]], int]]) -> None:
    """``rows``: (seller SKU, ready, problems, product version)."""
    await conn.executemany(
        """
        INSERT INTO readiness (shop_id, seller_sku, ready, problems, product_version) VALUES ($1, $2, $3, $4, $5)
        ON CONFLICT (shop_id, seller_sku) DO UPDATE SET ready = EXCLUDED.ready, problems = EXCLUDED.problems,
            product_version = EXCLUDED.product_version, checked_at = now()
        """,
        [(shop_id, sku, ready, problems, version) for sku, ready, problems, version in rows],
    )


async def active_shops(conn: asyncpg.Connection) -> list[str]:
    return [r["shop_id"] for r in await conn.fetch("SELECT shop_id FROM shops WHERE status = 'active' ORDER BY shop_id")]
