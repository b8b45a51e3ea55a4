"""The TikTok calls of posting (R38, R43, R45): media uploads, the listing pre-flight, create, and
reading products back (review state)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from libs.common.tiktok.client import TikTokClient

IMAGES_UPLOAD = "/product/202309/images/upload"
FILES_UPLOAD = "/product/202309/files/upload"
LISTING_CHECK = "/product/202309/products/listing_check"
PRODUCTS = "/product/202309/products"
PRODUCT = "/product/202309/products/{product_id}"
SEARCH = "/product/202309/products/search"


class PostingTikTok:
    def __init__(self, client: TikTokClient) -> None:
        self._client = client

    async def upload_image(self, shop_id: str, data: bytes, use_case: str) -> tuple[str, str | None]:
        """``images/upload`` (multipart, no shop_cipher, body not signed) -> (uri, url)."""
        answer = await self._client.call("POST", IMAGES_UPLOAD, shop_id=shop_id, files={"data": ("image", data)},
                                         data={"use_case": use_case})
        return str(answer["uri"]), answer.get("url")

    async def upload_file(self, shop_id: str, data: bytes, name: str) -> tuple[str, str | None]:
        """``files/upload`` (PDF, video) -> (file id, url)."""
        answer = await self._client.call("POST", FILES_UPLOAD, shop_id=shop_id, files={"data": (name, data)},
                                         data={"name": name})
        return str(answer["id"]), answer.get("url")

    async def listing_check(self, shop_id: str, body: dict[str, Any]) -> dict[str, Any]:
        return await self._client.call("POST", LISTING_CHECK, shop_id=shop_id, json=body)

    async def create(self, shop_id: str, body: dict[str, Any], *, idempotency_key: str) -> dict[str, Any]:
        """``POST products``; a retry with the same key answers the product created the first time."""
        return await self._client.call("POST", PRODUCTS, shop_id=shop_id,
                                       json={**body, "idempotency_key": idempotency_key})

    async def product(self, shop_id: str, product_id: str) -> dict[str, Any]:
        return await self._client.call("GET", PRODUCT.format(product_id=product_id), shop_id=shop_id,
                                       endpoint=PRODUCT)

    async def changed_since(self, shop_id: str, update_time_ge: int) -> AsyncIterator[list[dict[str, Any]]]:
        """Pages of the shop's products changed since ``update_time_ge`` (any status)."""
        async for page in self._client.paginate("POST", SEARCH, items_key="products", shop_id=shop_id,
                                                json={"update_time_ge": update_time_ge}, page_size=100):
            yield page

    async def register_webhook(self, shop_id: str, address: str) -> None:
        """``PUT /event/202309/webhooks``: TikTok keeps one address per event type per shop."""
        await self._client.call("PUT", "/event/202309/webhooks", shop_id=shop_id,
                                json={"event_type": "PRODUCT_STATUS_CHANGE", "address": address})
