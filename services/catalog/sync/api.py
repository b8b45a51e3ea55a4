"""Admin HTTP API: the stored stock and price levels of a SKU."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from libs.common.web import ApiError, database
from services.catalog.importing import repo as listings
from services.catalog.shops import repo as shops_repo
from services.catalog.sync import repo
from services.catalog.sync.domain import Kind

router = APIRouter(tags=["inventory"])


@router.get("/inventory/{seller_sku}")
async def get_inventory(request: Request, seller_sku: str) -> dict[str, Any]:
    async with database(request).acquire() as conn:
        levels = await repo.inventory_of(conn, seller_sku)
        shops = await _shops(conn, seller_sku, Kind.INVENTORY)
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
        **shops,
    }


@router.get("/prices/{seller_sku}")
async def get_prices(request: Request, seller_sku: str) -> dict[str, Any]:
    async with database(request).acquire() as conn:
        levels = await repo.prices_of(conn, seller_sku)
        shops = await _shops(conn, seller_sku, Kind.PRICE)
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
        **shops,
    }


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


async def _shops(conn: Any, seller_sku: str, kind: Kind) -> dict[str, Any]:
    """Per shop listing the SKU (R40): our level, what was sent, the upload status, error and sent_at."""
    rows = await repo.uploads_of(conn, seller_sku, kind)
    inventory = kind == Kind.INVENTORY
    buffers = {shop_id: await shops_repo.buffer_of(conn, shop_id) for shop_id in {r["shop_id"] for r in rows}}
    shops = [
        {
            "shop_id": r["shop_id"],
            "product_id": r["product_id"],
            "sku_id": r["sku_id"],
            **({"warehouse_id": r["warehouse_id"] or None, "our_level": r["quantity"], "sent": r["sent_quantity"],
                "sent_warehouse_id": r["sent_warehouse_id"], "buffer": buffers[r["shop_id"]][0],
                "out_of_stock_threshold": buffers[r["shop_id"]][1]} if inventory else
               {"our_price": format(r["amount"], "f"), "currency": r["currency"],
                "sent": format(r["sent_amount"], "f") if r["sent_amount"] is not None else None,
                "sent_currency": r["sent_currency"]}),
            "occurred_at": _iso(r["occurred_at"]),
            "upload_status": r["status"],
            "error": r["error"],
            "error_code": r["error_code"],
            "sent_at": _iso(r["sent_at"]),
            "changes": r["changes"],
            "calls": r["calls"],
            "attempts": r["attempts"],
        }
        for r in rows
    ]
    body: dict[str, Any] = {"shops": shops}
    if not shops and not await listings.listings_of(conn, seller_sku):
        body["note"] = ("no imported TikTok listing is matched to this SKU, so nothing is sent; "
                        "run `ttshop catalog products import SHOP`")
    return body
