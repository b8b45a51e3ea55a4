"""SQL for the taxonomy: categories, category details (attributes and rules), brands and their
authorisation per category, and the queued attribute downloads. Functions take the connection."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import Any

import asyncpg

from libs.common import jobs
from services.catalog.taxonomy.domain import Attribute, Category, CategoryRules

# --- categories -----------------------------------------------------------------------------------


async def categories(conn: asyncpg.Connection, shop_id: str) -> dict[str, Category]:
    rows = await conn.fetch(
        "SELECT category_id, parent_id, name, is_leaf, permission_statuses FROM categories WHERE shop_id = $1",
        shop_id,
    )
    return {r["category_id"]: Category(r["category_id"], r["parent_id"], r["name"], r["is_leaf"],
                                       tuple(r["permission_statuses"])) for r in rows}


async def replace_categories(conn: asyncpg.Connection, shop_id: str, tree: Iterable[Category]) -> None:
    """The downloaded tree replaces the stored one (updated in place, vanished ones removed)."""
    rows = [(shop_id, c.id, c.parent_id, c.name, c.is_leaf, list(c.permission_statuses)) for c in tree]
    await conn.execute("CREATE TEMP TABLE incoming_categories (LIKE categories INCLUDING DEFAULTS) ON COMMIT DROP")
    await conn.copy_records_to_table(
        "incoming_categories", records=rows,
        columns=["shop_id", "category_id", "parent_id", "name", "is_leaf", "permission_statuses"],
    )
    await conn.execute(
        """
        INSERT INTO categories (shop_id, category_id, parent_id, name, is_leaf, permission_statuses)
        SELECT shop_id, category_id, parent_id, name, is_leaf, permission_statuses FROM incoming_categories
        ON CONFLICT (shop_id, category_id) DO UPDATE SET parent_id = EXCLUDED.parent_id, name = EXCLUDED.name,
            is_leaf = EXCLUDED.is_leaf, permission_statuses = EXCLUDED.permission_statuses, downloaded_at = now()
        """
    )
    await conn.execute(
        "DELETE FROM categories c WHERE c.shop_id = $1 AND NOT EXISTS"
        " (SELECT 1 FROM incoming_categories i WHERE i.category_id = c.category_id)",
        shop_id,
    )


async def leaf_ids(conn: asyncpg.Connection, shop_id: str) -> list[str]:
    rows = await conn.fetch(
        "SELECT category_id FROM categories WHERE shop_id = $1 AND is_leaf ORDER BY category_id", shop_id
    )
    return [r["category_id"] for r in rows]


async def used_category_ids(conn: asyncpg.Connection, shop_id: str) -> list[str]:
    """Categories our products use on this shop (their own, or the one set for this shop)."""
    rows = await conn.fetch(
        """
        SELECT DISTINCT coalesce(record -> 'shop_categories' ->> $1, category_id) AS category_id FROM products
        WHERE coalesce(record -> 'shop_categories' ->> $1, category_id) IS NOT NULL ORDER BY 1
        """,
        shop_id,
    )
    return [r["category_id"] for r in rows]


# --- attributes and rules -------------------------------------------------------------------------


async def save_details(conn: asyncpg.Connection, shop_id: str, category_id: str, attributes: Sequence[Attribute],
                       rules: CategoryRules) -> None:
    await conn.execute(
        """
        INSERT INTO category_details (shop_id, category_id, attributes, certifications, size_chart,
                                      package_dimension_required)
        VALUES ($1, $2, $3, $4, $5, $6)
        ON CONFLICT (shop_id, category_id) DO UPDATE SET attributes = EXCLUDED.attributes,
            certifications = EXCLUDED.certifications, size_chart = EXCLUDED.size_chart,
            package_dimension_required = EXCLUDED.package_dimension_required, downloaded_at = now()
        """,
        shop_id, category_id, [a.to_json() for a in attributes], [c.to_json() for c in rules.certifications],
        dict(rules.size_chart), rules.package_dimension_required,
    )


async def details(conn: asyncpg.Connection, shop_id: str, category_ids: Sequence[str]) -> dict[str, asyncpg.Record]:
    rows = await conn.fetch(
        "SELECT * FROM category_details WHERE shop_id = $1 AND category_id = ANY($2::text[])",
        shop_id, list(category_ids),
    )
    return {r["category_id"]: r for r in rows}


# --- brands -----------------------------------------------------------------------------------------


async def save_brands(conn: asyncpg.Connection, shop_id: str, brands: Iterable[dict[str, Any]]) -> int:
    rows = [(shop_id, str(b["id"]), str(b.get("name") or b["id"]), b.get("brand_status")) for b in brands]
    await conn.executemany(
        """
        INSERT INTO brands (shop_id, brand_id, name, brand_status) VALUES ($1, $2, $3, $4)
        ON CONFLICT (shop_id, brand_id) DO UPDATE SET name = EXCLUDED.name, brand_status = EXCLUDED.brand_status,
            downloaded_at = now()
        """,
        rows,
    )
    return len(rows)


async def save_authorizations(conn: asyncpg.Connection, shop_id: str, category_id: str,
                              authorized_ids: set[str]) -> None:
    """Every known brand is authorised for the category or not, as TikTok's authorised list says."""
    await conn.execute("DELETE FROM brand_authorizations WHERE shop_id = $1 AND category_id = $2", shop_id, category_id)
    await conn.execute(
        "INSERT INTO brand_authorizations (shop_id, category_id, brand_id, authorized)"
        " SELECT $1, $2, brand_id, brand_id = ANY($3::text[]) FROM brands WHERE shop_id = $1",
        shop_id, category_id, sorted(authorized_ids),
    )
    await conn.execute(
        "INSERT INTO brand_categories (shop_id, category_id) VALUES ($1, $2)"
        " ON CONFLICT (shop_id, category_id) DO UPDATE SET downloaded_at = now()",
        shop_id, category_id,
    )


async def brand_rows(conn: asyncpg.Connection, shop_id: str) -> list[asyncpg.Record]:
    return list(await conn.fetch("SELECT brand_id, name, brand_status FROM brands WHERE shop_id = $1", shop_id))


async def authorizations(conn: asyncpg.Connection, shop_id: str) -> dict[tuple[str, str], bool]:
    rows = await conn.fetch("SELECT category_id, brand_id, authorized FROM brand_authorizations WHERE shop_id = $1",
                            shop_id)
    return {(r["category_id"], r["brand_id"]): r["authorized"] for r in rows}


async def brand_categories(conn: asyncpg.Connection, shop_id: str) -> set[str]:
    return {r["category_id"] for r in await conn.fetch(
        "SELECT category_id FROM brand_categories WHERE shop_id = $1", shop_id)}


# --- attribute download jobs ---------------------------------------------------------------------------

_JOB = "id, shop_id, kind, status, total, done, failed, error, created_at, updated_at, finished_at"


async def create_job(conn: asyncpg.Connection, shop_id: str, category_ids: Sequence[str]) -> asyncpg.Record:
    job_id = uuid.uuid4()
    row: asyncpg.Record = await conn.fetchrow(
        f"INSERT INTO taxonomy_jobs (id, shop_id, kind, total) VALUES ($1, $2, 'attributes', $3) RETURNING {_JOB}",
        job_id, shop_id, len(category_ids),
    )
    await conn.copy_records_to_table("taxonomy_job_items", records=[(job_id, c) for c in category_ids],
                                     columns=["job_id", "category_id"])
    return row


async def get_job(conn: asyncpg.Connection, job_id: uuid.UUID) -> asyncpg.Record | None:
    row: asyncpg.Record | None = await conn.fetchrow(f"SELECT {_JOB} FROM taxonomy_jobs WHERE id = $1", job_id)
    return row


async def job_errors(conn: asyncpg.Connection, job_id: uuid.UUID, limit: int = 20) -> list[asyncpg.Record]:
    return list(await conn.fetch(
        "SELECT category_id, error FROM taxonomy_job_items WHERE job_id = $1 AND status = 'failed'"
        " ORDER BY category_id LIMIT $2", job_id, limit))


async def recent_jobs(conn: asyncpg.Connection, *, shop_id: str | None, limit: int) -> list[asyncpg.Record]:
    """The newest jobs (of one shop, or of every shop), newest first."""
    return list(await conn.fetch(
        f"SELECT {_JOB} FROM taxonomy_jobs WHERE $1::text IS NULL OR shop_id = $1 ORDER BY created_at DESC, id DESC"
        " LIMIT $2", shop_id, limit))


async def errors_of_jobs(conn: asyncpg.Connection, job_ids: Sequence[uuid.UUID],
                         limit: int = 20) -> dict[uuid.UUID, list[asyncpg.Record]]:
    """:func:`job_errors` of each of these jobs (the first ``limit`` of each), in one statement."""
    return await jobs.failed_items_of(conn, "taxonomy_job_items", item="category_id", job_ids=job_ids, limit=limit)


async def claim_job(conn: asyncpg.Connection, *, owner: uuid.UUID, lease_s: float) -> asyncpg.Record | None:
    """Lease the oldest queued job, or a running one whose worker's lease ran out (it crashed)."""
    return await jobs.claim_job(conn, "taxonomy_jobs", columns=_JOB, owner=owner, lease_s=lease_s)


async def pending_items(conn: asyncpg.Connection, job_id: uuid.UUID, limit: int) -> list[str]:
    rows = await conn.fetch(
        "SELECT category_id FROM taxonomy_job_items WHERE job_id = $1 AND status = 'pending'"
        " ORDER BY category_id LIMIT $2", job_id, limit)
    return [r["category_id"] for r in rows]


async def finish_item(conn: asyncpg.Connection, job_id: uuid.UUID, owner: uuid.UUID, category_id: str, *,
                      error: str | None, lease_s: float) -> bool:
    """Mark one category done (or failed) and count it; False when the lease was lost."""
    status = "failed" if error else "done"
    updated = await conn.fetchval(
        "UPDATE taxonomy_job_items SET status = $3, error = $4 WHERE job_id = $1 AND category_id = $2"
        " AND status = 'pending' RETURNING true", job_id, category_id, status, error)
    if not updated:
        return True
    result: str = await conn.execute(
        "UPDATE taxonomy_jobs SET done = done + $3::int, failed = failed + $4::int, updated_at = now(),"
        " lease_until = now() + make_interval(secs => $5) WHERE id = $1 AND lease_owner = $2",
        job_id, owner, int(not error), int(bool(error)), lease_s)
    return result.endswith("1")


async def finish_job(conn: asyncpg.Connection, job_id: uuid.UUID, owner: uuid.UUID, *, error: str | None) -> None:
    await conn.execute(
        "UPDATE taxonomy_jobs SET status = CASE WHEN $3::text IS NULL THEN 'done' ELSE 'failed' END, error = $3,"
        " finished_at = now(), updated_at = now(), lease_owner = NULL, lease_until = NULL"
        " WHERE id = $1 AND lease_owner = $2", job_id, owner, error)


async def release_job(conn: asyncpg.Connection, job_id: uuid.UUID, owner: uuid.UUID, retry_in_s: float,
                      error: str) -> None:
    await conn.execute(
        "UPDATE taxonomy_jobs SET lease_until = now() + make_interval(secs => $3), error = $4, updated_at = now()"
        " WHERE id = $1 AND lease_owner = $2", job_id, owner, retry_in_s, error)


async def open_job_counts(conn: asyncpg.Connection) -> dict[str, int]:
    """Attribute download jobs not finished, by status (the metrics' ``ttshop_jobs``)."""
    return await jobs.open_counts(conn, "taxonomy_jobs")
