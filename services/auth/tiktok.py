"""The TikTok calls the auth service makes (besides the token endpoints in libs.common), and the token provider
its own client uses: it reads the auth database instead of asking itself over HTTP."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from pydantic import SecretStr

from libs.common.tiktok.client import TikTokClient
from libs.common.tiktok.tokens import ShopAccess


async def authorized_shops(
    client: TikTokClient, *, access_token: SecretStr | None = None, shop_id: str | None = None
) -> list[dict[str, Any]]:
    """``GET /authorization/202309/shops``: the shops this token may act for (no shop_cipher)."""
    data = await client.call(
        "GET", "/authorization/202309/shops", shop_id=shop_id, access_token=access_token, shop_scoped=False
    )
    return list(data.get("shops") or [])


async def warehouses(client: TikTokClient, *, shop_id: str) -> list[dict[str, Any]]:
    data = await client.call("GET", "/logistics/202309/warehouses", shop_id=shop_id)
    return list(data.get("warehouses") or [])


async def put_webhook(client: TikTokClient, *, shop_id: str, event_type: str, address: str) -> None:
    """``PUT /event/202309/webhooks``: TikTok keeps one address per event type per shop."""
    await client.call("PUT", "/event/202309/webhooks", shop_id=shop_id,
                      json={"event_type": event_type, "address": address})


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
