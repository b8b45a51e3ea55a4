"""The TikTok calls of editing a posted product (R38): ``partial_edit`` and ``PUT products/{id}``."""

from __future__ import annotations

from typing import Any

from libs.common.tiktok.client import TikTokClient

PARTIAL_EDIT = "/product/202309/products/{product_id}/partial_edit"
PRODUCT = "/product/202309/products/{product_id}"


class EditingTikTok:
    def __init__(self, client: TikTokClient) -> None:
        self._client = client

    async def partial_edit(self, shop_id: str, product_id: str, body: dict[str, Any]) -> dict[str, Any]:
        """Merges per top-level field (a nested object sent must be complete); back to review."""
        return await self._client.call("POST", PARTIAL_EDIT.format(product_id=product_id), shop_id=shop_id,
                                       json=body, endpoint=PARTIAL_EDIT)

    async def replace(self, shop_id: str, product_id: str, body: dict[str, Any]) -> dict[str, Any]:
        """Replaces the whole product (what the body leaves out is blanked, except stock and price)."""
        return await self._client.call("PUT", PRODUCT.format(product_id=product_id), shop_id=shop_id,
                                       json=body, endpoint=PRODUCT)
