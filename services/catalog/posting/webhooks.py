"""The catalog's TikTok webhook receiver: PRODUCT_STATUS_CHANGE (type 5), checked by the shared intake,
stored on receipt (TikTok wants a 200 within 3 s) for the review worker to read the product back."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

import asyncpg
from fastapi import APIRouter, Header, Request

from libs.common.web import database, wake
from libs.common.webhooks import TikTokNotification, intake
from services.catalog.posting import repo
from services.catalog.posting.review import PRODUCT_STATUS_CHANGE

router = APIRouter(tags=["webhooks"])


async def receive(pool: asyncpg.Pool, notification: TikTokNotification, *, wake: Callable[[], None]) -> dict[str, Any]:
    """Queue a read-back of the product a type-5 notification names; a re-sent one queues nothing."""
    product_id = notification.data.get("product_id")
    if notification.type != PRODUCT_STATUS_CHANGE or not product_id:
        return {"ok": True, "outcome": "ignored", "duplicate": False}
    async with pool.acquire() as conn, conn.transaction():
        if not await repo.first_delivery(conn, notification_id=notification.tts_notification_id,
                                         type_=notification.type, shop_id=notification.shop_id):
            return {"ok": True, "outcome": "duplicate", "duplicate": True}
        await repo.due_check(conn, notification.shop_id, str(product_id))
    wake()
    return {"ok": True, "outcome": "queued", "duplicate": False}


@router.post("/webhooks/tiktok")
async def tiktok_webhook(request: Request, authorization: Annotated[str | None, Header()] = None) -> dict[str, Any]:
    """Signed by TikTok; refused otherwise (413 over 1 MiB, 401 unsigned or forged, 400 not a notification)."""
    settings = request.app.state.runtime.settings
    notification = await intake(request, signature=authorization, app_key=settings.tiktok_app_key,
                                app_secret=settings.tiktok_app_secret)
    return await receive(database(request), notification, wake=lambda: wake(request, "listing-review"))
