"""SQL for shadow SKUs (R42): the links, and who follows whom."""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg


async def lock_links(conn: asyncpg.Connection) -> None:
    """Links are checked and changed one at a time, so two requests cannot make a chain between them."""
    await conn.execute("SELECT pg_advisory_xact_lock(hashtext('catalog.shadows'))")


async def master_of(conn: asyncpg.Connection, sku: str) -> str | None:
    value: str | None = await conn.fetchval("SELECT master_sku FROM shadows WHERE shadow_sku = $1", sku)
    return value


async def followers(conn: asyncpg.Connection, master: str) -> list[str]:
    rows = await conn.fetch("SELECT shadow_sku FROM shadows WHERE master_sku = $1 ORDER BY shadow_sku", master)
    return [r["shadow_sku"] for r in rows]


async def shadows_of(conn: asyncpg.Connection, masters: Sequence[str]) -> dict[str, list[str]]:
    """master -> its shadows, for the masters that have any (one statement)."""
    rows = await conn.fetch("SELECT master_sku, shadow_sku FROM shadows WHERE master_sku = ANY($1::text[])"
                            " ORDER BY shadow_sku", list(masters))
    found: dict[str, list[str]] = {}
    for r in rows:
        found.setdefault(r["master_sku"], []).append(r["shadow_sku"])
    return found


async def linked(conn: asyncpg.Connection, skus: Sequence[str]) -> set[str]:
    """Those of ``skus`` that are shadows (their own stock changes do not reach their listings)."""
    rows = await conn.fetch("SELECT shadow_sku FROM shadows WHERE shadow_sku = ANY($1::text[])", list(skus))
    return {r["shadow_sku"] for r in rows}


async def link(conn: asyncpg.Connection, shadow: str, master: str) -> None:
    await conn.execute("INSERT INTO shadows (shadow_sku, master_sku) VALUES ($1, $2) ON CONFLICT (shadow_sku)"
                       " DO UPDATE SET master_sku = EXCLUDED.master_sku, linked_at = now()", shadow, master)


async def unlink(conn: asyncpg.Connection, shadow: str) -> str | None:
    value: str | None = await conn.fetchval("DELETE FROM shadows WHERE shadow_sku = $1 RETURNING master_sku", shadow)
    return value


async def all_links(conn: asyncpg.Connection) -> list[asyncpg.Record]:
    return list(await conn.fetch(
        """
        SELECT s.shadow_sku, s.master_sku, s.linked_at,
               (SELECT count(*) FROM listings l WHERE l.our_sku = s.shadow_sku AND l.sku_id <> '') AS listings
        FROM shadows s ORDER BY s.master_sku, s.shadow_sku
        """))
