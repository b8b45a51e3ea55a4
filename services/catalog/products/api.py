"""Admin HTTP API: our SKUs and their TikTok listings."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from libs.common.web import ApiError
from services.catalog.importing import repo as listing_repo
from services.catalog.products import repo

router = APIRouter(tags=["products"])


def _pool(request: Request) -> Any:
    return request.app.state.runtime.db()


class ProductIn(BaseModel):
    title: str | None = None
    parent_sku: str | None = Field(default=None, description="Matrix parent of this SKU, when it is a variation.")
    tiktok_product_ids: dict[str, str] = Field(
        default_factory=dict,
        description="shop_id -> TikTok product id this SKU is listed as (how a matrix parent is matched, R41).",
    )


@router.put("/products/{seller_sku}")
async def put_product(request: Request, seller_sku: str, body: ProductIn) -> dict[str, Any]:
    async with _pool(request).acquire() as conn, conn.transaction():
        await repo.upsert_product(conn, seller_sku, title=body.title, parent_sku=body.parent_sku)
        for shop_id, product_id in body.tiktok_product_ids.items():
            await repo.link_product(conn, shop_id=shop_id, seller_sku=seller_sku, product_id=product_id,
                                            sku_id=None, source="operator")
    return await _product(request, seller_sku)


@router.get("/products/{seller_sku}")
async def get_product(request: Request, seller_sku: str) -> dict[str, Any]:
    return await _product(request, seller_sku)


async def _product(request: Request, seller_sku: str) -> dict[str, Any]:
    async with _pool(request).acquire() as conn:
        product = await repo.get_product(conn, seller_sku)
        if product is None:
            raise ApiError(404, "product_not_found", f"SKU {seller_sku!r} is not known to the catalog")
        links = await repo.links_of(conn, seller_sku)
        listings = await listing_repo.listings_of(conn, seller_sku)
    return {
        "seller_sku": seller_sku,
        "title": product["title"],
        "parent_sku": product["parent_sku"],
        "links": [{"shop_id": r["shop_id"], "product_id": r["product_id"], "sku_id": r["sku_id"],
                   "source": r["source"]} for r in links],
        "listings": [{"shop_id": r["shop_id"], "product_id": r["product_id"], "sku_id": r["sku_id"] or None,
                      "seller_sku": r["seller_sku"], "title": r["title"], "status": r["status"],
                      "parent_product_id": r["parent_product_id"], "matched_by": r["matched_by"],
                      "imported_at": r["imported_at"].isoformat()} for r in listings],
    }
