"""The auth service's own TokenProvider: it reads its database instead of asking itself over HTTP."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from libs.common.tiktok.tokens import ShopAccess

#: ``fetch(shop_id, refused_generation)``, i.e. :meth:`AuthService.access_for`.
Fetch = Callable[[str, int | None], Awaitable[ShopAccess]]


class LocalTokenProvider:
    """After TikTok refused a token, the next fetch names its generation, so auth refreshes it (once)."""

    def __init__(self, fetch: Fetch) -> None:
        self._fetch = fetch
        self._refused: dict[str, int] = {}

    async def get(self, shop_id: str) -> ShopAccess:
        return await self._fetch(shop_id, self._refused.pop(shop_id, None))

    async def invalidate(self, shop_id: str, refused_generation: int | None = None) -> None:
        if refused_generation is not None:
            self._refused[shop_id] = refused_generation
