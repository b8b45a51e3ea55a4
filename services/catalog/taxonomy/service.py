"""Taxonomy use cases (R30, R31, R35, R37): download the category tree and report what changed,
queue attribute downloads as resumable jobs (run by :mod:`.worker`), download brands with their authorisation.
TikTok calls happen outside any transaction; each result is stored in a transaction of its own."""

from __future__ import annotations

from typing import Any

import asyncpg
import structlog

from libs.common.tiktok.errors import TikTokError
from services.catalog.shops import repo as shops
from services.catalog.taxonomy import repo
from services.catalog.taxonomy.domain import (
    TreeChanges,
    category_from_wire,
    category_version,
    diff_trees,
)
from services.catalog.taxonomy.tiktok import TaxonomyTikTok

log = structlog.get_logger(__name__)

#: Version mismatch answers (TIKTOK_API.md): the shop wants the other tree version.
VERSION_MISMATCH = (12052217, 12052230)


class TaxonomyError(Exception):
    """A request the taxonomy cannot serve (unknown shop, nothing to download); the message says why."""


async def version_of(pool: asyncpg.Pool, shop_id: str) -> str | None:
    async with pool.acquire() as conn:
        profile = await shops.profile(conn, shop_id)
    if profile is None:
        raise TaxonomyError(f"shop {shop_id} is not connected (no ShopConnected received); connect it first")
    return category_version(profile["region"])


async def download_categories(pool: asyncpg.Pool, tiktok: TaxonomyTikTok, shop_id: str) -> TreeChanges:
    """R30: the shop's tree, stored in place of the last one; what changed since."""
    version = await version_of(pool, shop_id)
    try:
        raw = await tiktok.categories(shop_id, version=version)
    except TikTokError as exc:
        if exc.code not in VERSION_MISMATCH:
            raise
        version = None if version else "v2"  # the stored region was wrong or missing: ask the other tree
        raw = await tiktok.categories(shop_id, version=version)
    tree = {c.id: c for c in (category_from_wire(r) for r in raw)}
    async with pool.acquire() as conn, conn.transaction():
        changes = diff_trees(await repo.categories(conn, shop_id), tree)
        await repo.replace_categories(conn, shop_id, tree.values())
    log.info("categories downloaded", shop_id=shop_id, version=version, total=changes.total,
             added=len(changes.added), removed=len(changes.removed), now_invite_only=len(changes.now_invite_only))
    return changes


async def queue_attribute_download(pool: asyncpg.Pool, shop_id: str, *, category_id: str | None, used: bool,
                                   all_leaves: bool) -> asyncpg.Record:
    """R31: a job downloading attributes and rules of one category, the used ones, or every leaf."""
    async with pool.acquire() as conn, conn.transaction():
        if category_id:
            ids = [category_id]
        elif used:
            ids = await repo.used_category_ids(conn, shop_id)
        elif all_leaves:
            ids = await repo.leaf_ids(conn, shop_id)
        else:
            raise TaxonomyError("say which categories: --category ID, --used or --all-leaves")
        if not ids:
            what = "no product uses a category yet" if used else "no categories downloaded for the shop yet"
            raise TaxonomyError(f"nothing to download: {what} (run `ttshop catalog categories download {shop_id}`)")
        return await repo.create_job(conn, shop_id, ids)


async def download_brands(pool: asyncpg.Pool, tiktok: TaxonomyTikTok, shop_id: str, *,
                          category_ids: list[str] | None = None) -> dict[str, Any]:
    """R35: every brand of the shop, then for each category asked (default: the ones our products use)
    which brands are authorised there."""
    version = await version_of(pool, shop_id)
    brands: list[dict[str, Any]] = []
    async for page in tiktok.brands(shop_id):
        brands.extend(page)
    async with pool.acquire() as conn, conn.transaction():
        await repo.save_brands(conn, shop_id, brands)
        if category_ids is None:  # the ones our products use that this shop's tree has
            tree = await repo.categories(conn, shop_id)
            category_ids = [c for c in await repo.used_category_ids(conn, shop_id) if c in tree]
    authorized: dict[str, set[str]] = {}
    refused: dict[str, str] = {}
    for category_id in category_ids:
        found: set[str] = set()
        try:
            async for page in tiktok.brands(shop_id, category_id=category_id, authorized_only=True, version=version):
                found |= {str(b["id"]) for b in page if b.get("authorized_status", "AUTHORIZED") == "AUTHORIZED"}
        except TikTokError as exc:
            if exc.transient:
                raise
            refused[category_id] = f"TikTok refused ({exc.code}): {exc.message}"
            continue
        authorized[category_id] = found
    async with pool.acquire() as conn, conn.transaction():
        for category_id, ids in authorized.items():
            await repo.save_authorizations(conn, shop_id, category_id, ids)
    log.info("brands downloaded", shop_id=shop_id, brands=len(brands), categories=len(authorized),
             refused=len(refused))
    return {"shop_id": shop_id, "brands": len(brands),
            "categories": {c: len(ids) for c, ids in authorized.items()}, "refused": refused}
