"""The TikTok calls of the R40 sync: the shop's default warehouse, inventory and price update."""

from __future__ import annotations

from decimal import Decimal

from libs.common.tiktok.client import TikTokClient
from services.catalog.sync.domain import pick_default_warehouse

WAREHOUSES = "/logistics/202309/warehouses"
UPDATE_INVENTORY = "/product/202309/products/{product_id}/inventory/update"
UPDATE_PRICES = "/product/202309/products/{product_id}/prices/update"


class SyncTikTok:
    def __init__(self, client: TikTokClient) -> None:
        self._client = client

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
