"""The TikTok Order API calls this service makes, on top of the common signed client."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from libs.common.tiktok.client import TikTokClient

SEARCH_PATH = "/order/202309/orders/search"
GET_PATH = "/order/202309/orders"
MAX_GET_IDS = 50


class OrdersApi:
    def __init__(self, client: TikTokClient, *, page_size: int = 100) -> None:
        self._client = client
        self._page_size = page_size

    def updated_between(self, shop_id: str, ge: int, lt: int) -> AsyncIterator[list[dict[str, Any]]]:
        """Pages of orders with ``ge <= update_time < lt``, oldest update first."""
        return self._client.paginate(
            "POST", SEARCH_PATH, items_key="orders", shop_id=shop_id,
            params={"sort_field": "update_time", "sort_order": "ASC"},
            json={"update_time_ge": ge, "update_time_lt": lt}, page_size=self._page_size,
        )

    async def created_page(
        self, shop_id: str, ge: int, lt: int, page_token: str | None
    ) -> tuple[list[dict[str, Any]], str]:
        """One page of orders with ``ge <= create_time < lt`` and the next page token ("" = last).

        Jobs page by hand (not :meth:`TikTokClient.paginate`) so they can resume at a stored token.
        """
        params: dict[str, Any] = {"page_size": self._page_size, "sort_field": "create_time", "sort_order": "ASC"}
        if page_token:
            params["page_token"] = page_token
        data = await self._client.call(
            "POST", SEARCH_PATH, shop_id=shop_id, params=params, json={"create_time_ge": ge, "create_time_lt": lt}
        )
        return list(data.get("orders") or []), str(data.get("next_page_token") or "")

    async def get(self, shop_id: str, order_ids: list[str]) -> list[dict[str, Any]]:
        """The orders with these ids (unknown ids are simply absent), ≤ 50 per call."""
        found: list[dict[str, Any]] = []
        unique = list(dict.fromkeys(order_ids))
        for start in range(0, len(unique), MAX_GET_IDS):
            chunk = unique[start : start + MAX_GET_IDS]
            data = await self._client.call("GET", GET_PATH, shop_id=shop_id, params={"ids": ",".join(chunk)})
            found.extend(data.get("orders") or [])
        return found
