"""The TikTok calls of the R40 sync: the shop's default warehouse, inventory and price update."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

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

    async def update_inventory(self, *, shop_id: str, product_id: str,
                               skus: list[tuple[str, str, int]]) -> dict[str, tuple[str, str]]:
        """One call for the product's (sku id, warehouse id, quantity); answers the refused SKUs:
        sku id -> (TikTok's code, message). A SKU given for two warehouses is one entry with both."""
        by_sku: dict[str, list[dict[str, object]]] = {}
        for sku_id, warehouse_id, quantity in skus:
            by_sku.setdefault(sku_id, []).append({"warehouse_id": warehouse_id, "quantity": quantity})
        data = await self._client.call(
            "POST", UPDATE_INVENTORY.format(product_id=product_id), shop_id=shop_id, endpoint=UPDATE_INVENTORY,
            json={"skus": [{"id": sku_id, "inventory": entries} for sku_id, entries in by_sku.items()]},
        )
        return _refused(data)

    async def update_prices(self, *, shop_id: str, product_id: str,
                            skus: list[tuple[str, Decimal, str]]) -> dict[str, tuple[str, str]]:
        """One call for the product's (sku id, amount, currency); answers the refused SKUs."""
        data = await self._client.call(
            "POST", UPDATE_PRICES.format(product_id=product_id), shop_id=shop_id, endpoint=UPDATE_PRICES,
            json={"skus": [{"id": sku_id, "price": {"amount": format(amount, "f"), "currency": currency}}
                           for sku_id, amount, currency in skus]},
        )
        return _refused(data)


def _refused(data: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """TikTok's ``data.errors[{code, message, detail{sku_id}}]`` by SKU id (partial success)."""
    found: dict[str, tuple[str, str]] = {}
    for error in data.get("errors") or []:
        if isinstance(error, dict):
            sku_id = str((error.get("detail") or {}).get("sku_id") or "")
            found[sku_id] = (str(error.get("code")), str(error.get("message") or ""))
    return found
