"""The auth service's own TikTok webhook receiver (authorisation events only; orders has its own)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Request

from libs.common.web import component
from libs.common.webhooks import intake
from services.auth.settings import AuthSettings
from services.auth.webhooks.service import (
    DUPLICATE,
    SELLER_DEAUTHORIZATION,
    UPCOMING_AUTHORIZATION_EXPIRATION,
    authorization_expiring,
    seller_deauthorized,
)

router = APIRouter()


@router.post("/webhooks/tiktok")
async def tiktok_webhook(request: Request, authorization: Annotated[str | None, Header()] = None) -> dict[str, Any]:
    """Signed by TikTok (``Authorization`` = HMAC of app key + raw body); refused otherwise (413 over 1 MiB,
    401 unsigned or forged, 400 not a notification), so forged notifications cannot mark shops. A re-sent
    notification is acknowledged with ``duplicate: true``. Other event types are acknowledged and ignored."""
    settings: AuthSettings = request.app.state.auth_settings
    notification = await intake(request, signature=authorization, app_key=settings.tiktok_app_key,
                                app_secret=settings.tiktok_app_secret)
    svc = component(request, "auth")
    if notification.type == SELLER_DEAUTHORIZATION:
        outcome = await seller_deauthorized(svc, notification.shop_id,
                                            notification_id=notification.tts_notification_id)
    elif notification.type == UPCOMING_AUTHORIZATION_EXPIRATION:
        outcome = await authorization_expiring(svc, notification.shop_id, notification.data,
                                               notification_id=notification.tts_notification_id)
    else:
        outcome = "ignored"
    return {"ok": True, "outcome": outcome, "duplicate": outcome == DUPLICATE}
