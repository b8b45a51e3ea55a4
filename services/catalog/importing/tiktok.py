"""The TikTok calls of the product import (R41): search the shop's active listings."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from libs.common.tiktok.client import TikTokClient
from services.catalog.sync.domain import ACTIVE_LISTING

SEARCH_PRODUCTS = "/product/202309/products/search"


class ImportTikTok:
    def __init__(self, client: TikTokClient) -> None:
        self._client = client

    async def active_products(self, shop_id: str, *, page_size: int = 100) -> AsyncIterator[list[dict[str, Any]]]:
        """Pages of the shop's active listings (products with their SKUs)."""
        async for page in self._client.paginate(
            "POST", SEARCH_PRODUCTS, items_key="products", shop_id=shop_id, json={"status": ACTIVE_LISTING},
            page_size=page_size,
        ):
            yield page
