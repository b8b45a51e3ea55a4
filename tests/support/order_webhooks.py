"""Order notifications handed to the orders service's receiver as TikTok would send them (signed with the
sandbox app's secret), for the orders tests."""

from __future__ import annotations

import json
import uuid
from typing import Any

import asyncpg
from pydantic import SecretStr

from libs.common.settings import SANDBOX_APP_KEY, SANDBOX_APP_SECRET
from libs.common.tiktok.signing import webhook_signature
from libs.common.webhooks import accept
from services.orders.intake.webhooks import service as webhooks


def signed(payload: dict[str, Any]) -> tuple[bytes, str]:
    body = json.dumps(payload).encode()
    return body, webhook_signature(SANDBOX_APP_KEY, SANDBOX_APP_SECRET, body)


async def receive(pool: asyncpg.Pool, body: bytes, signature: str | None) -> dict[str, Any]:
    """What the receiver does with one request's body: the shared intake's checks, then the store."""
    notification = accept(body, signature, app_key=SANDBOX_APP_KEY, app_secret=SecretStr(SANDBOX_APP_SECRET))
    return await webhooks.receive(pool, notification)


async def webhook(pool: asyncpg.Pool, shop_id: str, type_: int, order_id: str) -> dict[str, Any]:
    body, signature = signed({"type": type_, "tts_notification_id": uuid.uuid4().hex, "shop_id": shop_id,
                              "timestamp": 0, "data": {"order_id": order_id}})
    return await receive(pool, body, signature)
