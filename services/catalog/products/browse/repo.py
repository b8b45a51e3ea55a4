"""SQL for the product list: a page of our product records (filtered, counted) and their state on a shop."""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg

#: One predicate per ``state`` (browse.domain.STATES), on the product's readiness ``r`` and posting ``x``.
_STATE = """CASE $2::text
    WHEN 'unchecked' THEN r.seller_sku IS NULL
    WHEN 'ready' THEN r.ready
    WHEN 'not_ready' THEN NOT r.ready
    WHEN 'unposted' THEN r.ready AND x.product_id IS NULL
    WHEN 'posting' THEN x.state = 'posting'
    WHEN 'failed' THEN x.state = 'failed'
    WHEN 'posted' THEN x.product_id IS NOT NULL
    WHEN 'in_review' THEN x.product_id IS NOT NULL AND x.tiktok_status = 'PENDING'
    WHEN 'live' THEN x.product_id IS NOT NULL AND x.live
    WHEN 'rejected' THEN x.product_id IS NOT NULL AND x.tiktok_status = 'FAILED'
END"""


async def page(conn: asyncpg.Connection, *, shop_id: str | None, state: str | None, search: str | None,
               parent: str | None, newest: bool, limit: int, offset: int) -> tuple[int, list[asyncpg.Record]]:
    """(how many products match, the page of them): by seller SKU, or newest first. ``search`` is a
    case-insensitive substring of the SKU or the title; ``parent`` the exact SKU of a matrix parent (its
    variation children only); ``state`` needs ``shop_id``. One statement; only the page's records are read."""
    rows = await conn.fetch(
        f"""
        WITH found AS (
            SELECT p.seller_sku, p.created_at FROM products p
            LEFT JOIN readiness r ON r.shop_id = $1 AND r.seller_sku = p.seller_sku
            LEFT JOIN postings x ON x.shop_id = $1 AND x.seller_sku = p.seller_sku
            WHERE ($2::text IS NULL OR coalesce({_STATE}, false))
              AND ($3::text IS NULL OR strpos(lower(p.seller_sku), lower($3::text)) > 0
                   OR strpos(lower(coalesce(p.title, '')), lower($3::text)) > 0)
              AND ($7::text IS NULL OR p.parent_sku = $7::text)
        )
        SELECT t.total, p.seller_sku, p.title, p.parent_sku, p.version, p.created_at, p.updated_at,
               p.record -> 'main_image' AS main_image, p.record -> 'images' -> 0 AS first_image
        FROM (SELECT count(*) AS total FROM found) t
        LEFT JOIN LATERAL (SELECT seller_sku FROM found
                           ORDER BY CASE WHEN $4::boolean THEN created_at END DESC, seller_sku
                           LIMIT $5 OFFSET $6) f ON true
        LEFT JOIN products p ON p.seller_sku = f.seller_sku
        ORDER BY CASE WHEN $4::boolean THEN p.created_at END DESC, p.seller_sku
        """, shop_id, state, search, newest, limit, offset, parent)
    total = int(rows[0]["total"]) if rows else 0
    return total, [r for r in rows if r["seller_sku"] is not None]


async def states(conn: asyncpg.Connection, shop_id: str, skus: Sequence[str]) -> dict[str, asyncpg.Record]:
    """Per SKU that has either: its last readiness check on the shop (``ready``, ``problems`` counted and
    ``problem_details`` listed,
    ``checked_version``, ``checked_at``) and its posting there (the columns ``posting.service.view`` reads;
    ``state`` None when never posted). One statement."""
    rows = await conn.fetch(
        """
        SELECT s.seller_sku, r.ready, jsonb_array_length(r.problems) AS problems, r.problems AS problem_details,
               r.product_version AS checked_version, r.checked_at,
               x.shop_id, x.state, x.product_id, x.sku_ids, x.tiktok_status, x.audit_failed_reasons, x.errors,
               x.posting_version, x.live, x.posted_at, x.edited_at
        FROM unnest($2::text[]) AS s (seller_sku)
        LEFT JOIN readiness r ON r.shop_id = $1 AND r.seller_sku = s.seller_sku
        LEFT JOIN postings x ON x.shop_id = $1 AND x.seller_sku = s.seller_sku
        WHERE r.seller_sku IS NOT NULL OR x.seller_sku IS NOT NULL
        """, shop_id, list(skus))
    return {r["seller_sku"]: r for r in rows}
