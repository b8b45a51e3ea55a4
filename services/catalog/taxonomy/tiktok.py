"""The TikTok calls of the taxonomy (R30, R31, R35, R37): categories, attributes, rules, brands."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from libs.common.tiktok.client import TikTokClient

CATEGORIES = "/product/202309/categories"
ATTRIBUTES = "/product/202309/categories/{category_id}/attributes"
RULES = "/product/202309/categories/{category_id}/rules"
BRANDS = "/product/202309/brands"


class TaxonomyTikTok:
    def __init__(self, client: TikTokClient) -> None:
        self._client = client

    async def categories(self, shop_id: str, *, version: str | None) -> list[dict[str, Any]]:
        data = await self._client.call("GET", CATEGORIES, shop_id=shop_id,
                                       params={"category_version": version} if version else None)
        return list(data.get("categories") or [])

    async def attributes(self, shop_id: str, category_id: str, *, version: str | None) -> list[dict[str, Any]]:
        data = await self._client.call(
            "GET", ATTRIBUTES.format(category_id=category_id), shop_id=shop_id, endpoint=ATTRIBUTES,
            params={"category_version": version} if version else None,
        )
        return list(data.get("attributes") or [])

    async def rules(self, shop_id: str, category_id: str, *, version: str | None) -> dict[str, Any]:
        return await self._client.call(
            "GET", RULES.format(category_id=category_id), shop_id=shop_id, endpoint=RULES,
            params={"category_version": version} if version else None,
        )

    async def brands(self, shop_id: str, *, category_id: str | None = None, authorized_only: bool = False,
                     version: str | None = None) -> AsyncIterator[list[dict[str, Any]]]:
        params: dict[str, Any] = {}
        if category_id:
            params["category_id"] = category_id
            if version:
                params["category_version"] = version
        if authorized_only:
            params["is_authorized"] = "true"
        async for page in self._client.paginate("GET", BRANDS, items_key="brands", shop_id=shop_id,
                                                params=params, page_size=100):
            yield page
