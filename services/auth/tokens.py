"""The auth service's own TokenProvider: it reads its database instead of asking itself over HTTP."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from libs.common.tiktok.tokens import ShopAccess


class LocalTokenProvider:
    """``fetch(shop_id, force_refresh)``; after TikTok said 105002 the next fetch forces a refresh."""

    def __init__(self, fetch: Callable[[str, bool], Awaitable[ShopAccess]]) -> None:
        self._fetch = fetch
        self._stale: set[str] = set()

    async def get(self, shop_id: str) -> ShopAccess:
        force = shop_id in self._stale
        self._stale.discard(shop_id)
        return await self._fetch(shop_id, force)

    async def invalidate(self, shop_id: str) -> None:
        self._stale.add(shop_id)
