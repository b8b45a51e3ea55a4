"""``python -m tests.integration.orders.child_service``: the orders service as its own process,
configured from the environment like the real one, with access tokens handed in through
``TEST_SHOP_TOKENS`` (JSON ``{shop_id: [cipher, token, expires_at]}``, obtained from the sandbox's
token endpoint) in place of the auth service. Tests kill it with SIGKILL and start it again."""

from __future__ import annotations

import json
import os

from pydantic import SecretStr

from libs.common.runtime import serve
from libs.common.tiktok.tokens import ShopAccess
from services.orders.app import build_app
from services.orders.settings import OrdersSettings


class HandedTokens:
    def __init__(self, raw: str) -> None:
        self._access = {
            shop_id: ShopAccess(shop_id=shop_id, shop_cipher=cipher, access_token=SecretStr(token), expires_at=exp)
            for shop_id, (cipher, token, exp) in json.loads(raw).items()
        }

    async def get(self, shop_id: str) -> ShopAccess:
        return self._access[shop_id]

    async def invalidate(self, shop_id: str, refused_generation: int | None = None) -> None:
        return None


def main() -> None:
    settings = OrdersSettings()
    serve(build_app(settings, tokens=HandedTokens(os.environ["TEST_SHOP_TOKENS"])), settings)


if __name__ == "__main__":
    main()
