"""The TikTok calls the catalog makes: search active listings, warehouses, inventory and price update."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

from libs.common.tiktok.client import TikTokClient
from services.catalog.upload_rules import ACTIVE_LISTING, pick_default_warehouse

SEARCH_PRODUCTS = "/product/202309/products/search"
WAREHOUSES = "/logistics/202309/warehouses"
UPDATE_INVENTORY = "/product/202309/products/{product_id}/inventory/update"
UPDATE_PRICES = "/product/202309/products/{product_id}/prices/update"


class CatalogTikTok:
    def __init__(self, client: TikTokClient) -> None:
        self._client = client

    async def active_products(self, shop_id: str, *, page_size: int = 100) -> AsyncIterator[list[dict[str, Any]]]:
        """Pages of the shop's active listings (products with their SKUs)."""
        async for page in self._client.paginate(
            "POST", SEARCH_PRODUCTS, items_key="products", shop_id=shop_id, json={"status": ACTIVE_LISTING},
            page_size=page_size,
        ):
            yield page

    async def default_warehouse(self, shop_id: str) -> str | None:
        data = await self._client.call("GET", WAREHOUSES, shop_id=shop_id)
        return pick_default_warehouse(list(data.get("warehouses") or []))

    async def update_inventory(self, *, shop_id: str, product_id: str, sku_id: str, warehouse_id: str,
                               quantity: int) -> None:
        await self._client.call(
            "POST", UPDATE_INVENTORY.format(product_id=product_id), shop_id=shop_id, endpoint=UPDATE_INVENTORY,
            json={"skus": [{"id": sku_id, "inventory": [{"warehouse_id": warehouse_id, "quantity": quantity}]}]},
        )

    async def update_price(self, *, shop_id: str, product_id: str, sku_id: str, amount: Decimal,
                           currency: str) -> None:
        await self._client.call(
            "POST", UPDATE_PRICES.format(product_id=product_id), shop_id=shop_id, endpoint=UPDATE_PRICES,
            json={"skus": [{"id": sku_id, "price": {"amount": format(amount, "f"), "currency": currency}}]},
        )
