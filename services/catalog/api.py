"""Admin HTTP API: the stored stock and price levels of a SKU."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from libs.common.web import ApiError
from services.catalog import repo

router = APIRouter(tags=["inventory"])


def _pool(request: Request) -> Any:
    return request.app.state.runtime.db()


@router.get("/inventory/{seller_sku}")
async def get_inventory(request: Request, seller_sku: str) -> dict[str, Any]:
    async with _pool(request).acquire() as conn:
        levels = await repo.inventory_of(conn, seller_sku)
    if not levels:
        raise ApiError(404, "inventory_not_found", f"no InventoryChanged has been received for SKU {seller_sku!r}")
    return {
        "seller_sku": seller_sku,
        "levels": [
            {
                "shop_id": lv.key.shop_id,
                "warehouse_id": lv.key.warehouse_id,
                "available": lv.available,
                "occurred_at": lv.occurred_at.isoformat(),
                "event_id": lv.event_id,
                "updated_at": lv.updated_at.isoformat() if lv.updated_at else None,
            }
            for lv in levels
        ],
    }


@router.get("/prices/{seller_sku}")
async def get_prices(request: Request, seller_sku: str) -> dict[str, Any]:
    async with _pool(request).acquire() as conn:
        levels = await repo.prices_of(conn, seller_sku)
    if not levels:
        raise ApiError(404, "price_not_found", f"no PriceChanged has been received for SKU {seller_sku!r}")
    return {
        "seller_sku": seller_sku,
        "prices": [
            {
                "shop_id": lv.key.shop_id,
                "amount": format(lv.amount, "f"),
                "currency": lv.currency,
                "occurred_at": lv.occurred_at.isoformat(),
                "event_id": lv.event_id,
                "updated_at": lv.updated_at.isoformat() if lv.updated_at else None,
            }
            for lv in levels
        ],
    }
