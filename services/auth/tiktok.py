"""The TikTok calls the auth service makes (besides the token endpoints in libs.common)."""

from __future__ import annotations

from typing import Any

from pydantic import SecretStr

from libs.common.tiktok.client import TikTokClient


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
