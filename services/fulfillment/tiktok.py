"""The TikTok calls fulfillment makes: shipping providers, mark shipped, read an order back."""

from __future__ import annotations

from typing import Any

from libs.common.tiktok.client import TikTokClient
from services.fulfillment.uploads.domain import ShipmentRejected

WAREHOUSES = "/logistics/202309/warehouses"
DELIVERY_OPTIONS = "/logistics/202309/warehouses/{warehouse_id}/delivery_options"
SHIPPING_PROVIDERS = "/logistics/202309/delivery_options/{delivery_option_id}/shipping_providers"
MARK_SHIPPED = "/fulfillment/202309/orders/{order_id}/packages"
GET_ORDERS = "/order/202309/orders"


class NoDefaultWarehouse(ShipmentRejected):
    """The shop has no usable warehouse on TikTok, so it has no shipping providers."""


def pick_warehouse(warehouses: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The default sales warehouse; else the first enabled sales warehouse; else None."""
    sales = [
        w for w in warehouses
        if w.get("type", "SALES_WAREHOUSE") == "SALES_WAREHOUSE" and w.get("effect_status", "ENABLED") == "ENABLED"
    ]
    return next((w for w in sales if w.get("is_default")), sales[0] if sales else None)


class FulfillmentTikTok:
    def __init__(self, client: TikTokClient) -> None:
        self._client = client

    async def shipping_providers(self, shop_id: str) -> list[tuple[str, str, str]]:
        """(delivery_option_id, provider_id, name) of every delivery option of the default warehouse."""
        data = await self._client.call("GET", WAREHOUSES, shop_id=shop_id)
        warehouse = pick_warehouse(list(data.get("warehouses") or []))
        if warehouse is None:
            raise NoDefaultWarehouse(
                f"shop {shop_id} has no default sales warehouse on TikTok, so no shipping providers; "
                "set one up in TikTok Seller Center, then retry the shipment"
            )
        warehouse_id = str(warehouse["id"])
        data = await self._client.call(
            "GET", DELIVERY_OPTIONS.format(warehouse_id=warehouse_id), shop_id=shop_id, endpoint=DELIVERY_OPTIONS
        )
        rows: list[tuple[str, str, str]] = []
        for option in data.get("delivery_options") or []:
            option_id = str(option["id"])
            providers = await self._client.call(
                "GET",
                SHIPPING_PROVIDERS.format(delivery_option_id=option_id),
                shop_id=shop_id,
                endpoint=SHIPPING_PROVIDERS,
            )
            rows.extend(
                (option_id, str(p["id"]), str(p.get("name") or p["id"]))
                for p in providers.get("shipping_providers") or []
            )
        return rows

    async def mark_shipped(
        self, *, shop_id: str, order_id: str, tracking_number: str, provider_id: str, line_item_ids: list[str]
    ) -> str:
        """Upload tracking for these line items as one package; returns TikTok's package id."""
        data = await self._client.call(
            "POST",
            MARK_SHIPPED.format(order_id=order_id),
            shop_id=shop_id,
            endpoint=MARK_SHIPPED,
            json={
                "tracking_number": tracking_number,
                "shipping_provider_id": provider_id,
                "order_line_item_ids": line_item_ids,
            },
        )
        return str(data.get("package_id") or "")

    async def order_line_items(self, *, shop_id: str, order_id: str) -> list[dict[str, Any]]:
        """The order's line items as TikTok holds them (with package_id and tracking_number)."""
        data = await self._client.call("GET", GET_ORDERS, shop_id=shop_id, params={"ids": order_id})
        for order in data.get("orders") or []:
            if str(order.get("id")) == order_id:
                return list(order.get("line_items") or [])
        return []

    async def orders(self, *, shop_id: str, order_ids: list[str]) -> list[dict[str, Any]]:
        """Up to 50 orders in one call (GET /order/202309/orders?ids=), with packages and tracking."""
        if not order_ids:
            return []
        data = await self._client.call("GET", GET_ORDERS, shop_id=shop_id, params={"ids": ",".join(order_ids)})
        return list(data.get("orders") or [])
