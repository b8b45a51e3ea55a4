"""The TikTok calls this service makes (orders, after-sales, finance), on top of the common signed client. One
:class:`OrdersApi` per process, built at start as component :data:`TIKTOK`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from libs.common.tiktok.client import TikTokClient

SEARCH_PATH = "/order/202309/orders/search"
GET_PATH = "/order/202309/orders"
MAX_GET_IDS = 50
CANCEL_PATH = "/return_refund/202309/cancellations"
ELIGIBILITY_PATH = "/return_refund/202309/orders/{order_id}/aftersale_eligibility"
RETURNS_PATH = "/return_refund/202309/returns"
STATEMENTS_PATH = "/finance/202309/statements"
STATEMENT_TRANSACTIONS_PATH = "/finance/202309/statements/{statement_id}/statement_transactions"

#: The component name of the service's :class:`OrdersApi` (``runtime.components``).
TIKTOK = "orders-tiktok"


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

    async def get_one(self, shop_id: str, order_id: str) -> dict[str, Any] | None:
        found = await self.get(shop_id, [order_id])
        return found[0] if found else None

    async def cancel(self, shop_id: str, order_id: str, line_item_ids: list[str], reason: str) -> dict[str, Any]:
        """Seller cancellation (R17): ``{cancel_id, cancel_status}``."""
        return await self._client.call(
            "POST", CANCEL_PATH, shop_id=shop_id,
            json={"order_id": order_id, "order_line_item_ids": line_item_ids, "cancel_reason": reason},
        )

    async def aftersale_eligibility(self, shop_id: str, order_id: str) -> dict[str, Any]:
        """TikTok's answer on which line items may be refunded (R16)."""
        return await self._client.call(
            "GET", ELIGIBILITY_PATH.format(order_id=order_id), shop_id=shop_id, endpoint=ELIGIBILITY_PATH
        )

    async def request_refund(
        self, shop_id: str, order_id: str, line_item_ids: list[str], reason: str
    ) -> dict[str, Any]:
        """A refund-only after-sale request (R16): ``{return_id, return_status, refund_amount}``."""
        return await self._client.call(
            "POST", RETURNS_PATH, shop_id=shop_id,
            json={"order_id": order_id, "order_line_item_ids": line_item_ids, "return_type": "REFUND",
                  "return_reason": reason},
        )

    def statements_between(self, shop_id: str, ge: int, lt: int) -> AsyncIterator[list[dict[str, Any]]]:
        """Pages of finance statements with ``ge <= statement_time < lt`` (R15)."""
        return self._client.paginate(
            "GET", STATEMENTS_PATH, items_key="statements", shop_id=shop_id,
            params={"sort_field": "statement_time", "sort_order": "ASC", "statement_time_ge": ge,
                    "statement_time_lt": lt},
            page_size=self._page_size,
        )

    def statement_transactions(self, shop_id: str, statement_id: str) -> AsyncIterator[list[dict[str, Any]]]:
        return self._client.paginate(
            "GET", STATEMENT_TRANSACTIONS_PATH.format(statement_id=statement_id), items_key="transactions",
            shop_id=shop_id, page_size=self._page_size, endpoint=STATEMENT_TRANSACTIONS_PATH,
        )
