"""The product list (``GET /products``): a page of our product records and, for one shop, the state of each
there (its last readiness check, its posting), read in one snapshot with two statements."""

from __future__ import annotations

from typing import Any

import asyncpg

from services.catalog.posting.service import view as posting_view
from services.catalog.products.browse import repo
from services.catalog.products.browse.domain import Order, State, check_filter, first_image


async def list_products(pool: asyncpg.Pool, *, shop_id: str | None = None, state: State | None = None,
                        search: str | None = None, parent: str | None = None, order: Order = "sku", limit: int = 50,
                        offset: int = 0) -> dict[str, Any]:
    """``{"products": [...], "total": N}``; with ``shop_id`` each product has ``readiness`` and ``posting``
    on that shop (None: never checked / never posted there)."""
    shop_id = shop_id or None  # `shop=` empty: every shop's records, no state
    check_filter(shop_id, state)
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        total, rows = await repo.page(conn, shop_id=shop_id, state=state, search=search or None,
                                      parent=parent or None, newest=order == "newest", limit=limit, offset=offset)
        found = await repo.states(conn, shop_id, [r["seller_sku"] for r in rows]) if shop_id and rows else {}
    products = []
    for r in rows:
        item: dict[str, Any] = {
            "seller_sku": r["seller_sku"], "title": r["title"], "parent_sku": r["parent_sku"], "version": r["version"],
            "image": first_image(r["main_image"], r["first_image"]),
            "created_at": r["created_at"].isoformat(), "updated_at": r["updated_at"].isoformat(),
        }
        if shop_id is not None:
            item.update(_on_shop(shop_id, found.get(r["seller_sku"])))
        products.append(item)
    return {"products": products, "total": total}


def _on_shop(shop_id: str, s: asyncpg.Record | None) -> dict[str, Any]:
    """The product's readiness and posting on the shop, as ``GET /products/{sku}`` answers them."""
    readiness = None if s is None or s["ready"] is None else {
        "shop_id": shop_id, "ready": s["ready"], "problems": s["problems"],
        "problem_details": s["problem_details"], "checked_version": s["checked_version"],
        "checked_at": s["checked_at"].isoformat()}
    posting = None if s is None or s["state"] is None else posting_view(s)
    return {"readiness": readiness, "posting": posting}
