"""A TokenProvider for service tests that run without the auth service: it exchanges each test
shop's auth code at the sandbox's own token endpoint (the sandbox stays as strict as ever)."""

from __future__ import annotations

import httpx
from pydantic import SecretStr

from libs.common.settings import SANDBOX_APP_KEY, SANDBOX_APP_SECRET
from libs.common.tiktok.auth_client import TikTokAuthClient
from libs.common.tiktok.tokens import ShopAccess, ShopNotAuthorized


class SandboxTokens:
    def __init__(self, http: httpx.AsyncClient, sandbox_url: str) -> None:
        self._auth = TikTokAuthClient(http, sandbox_url, SANDBOX_APP_KEY, SecretStr(SANDBOX_APP_SECRET))
        self._codes: dict[str, tuple[str, str]] = {}
        self._cache: dict[str, ShopAccess] = {}

    def add_shop(self, shop_id: str, shop_cipher: str, auth_code: str) -> None:
        self._codes[shop_id] = (shop_cipher, auth_code)

    async def get(self, shop_id: str) -> ShopAccess:
        if shop_id not in self._codes:
            raise ShopNotAuthorized(shop_id, "unknown shop")
        if shop_id not in self._cache:
            cipher, code = self._codes[shop_id]
            grant = await self._auth.get_token(code)
            self._cache[shop_id] = ShopAccess(shop_id, cipher, grant.access_token, grant.access_token_expire_in)
        return self._cache[shop_id]

    async def invalidate(self, shop_id: str, refused_generation: int | None = None) -> None:  # tokens live for days in the sandbox
        return None
