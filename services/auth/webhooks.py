"""The auth service's own TikTok webhook receiver (authorisation events only; orders has its own)."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Header, Request

from libs.common.tiktok.signing import verify_webhook
from libs.common.web import ApiError
from services.auth.authorization import authorization_expiring, seller_deauthorized
from services.auth.settings import AuthSettings

router = APIRouter()

SELLER_DEAUTHORIZATION = 6
UPCOMING_AUTHORIZATION_EXPIRATION = 7


@router.post("/webhooks/tiktok")
async def tiktok_webhook(request: Request, authorization: Annotated[str | None, Header()] = None) -> dict[str, Any]:
    """Signed by TikTok (``Authorization`` = HMAC of app key + raw body); 401 otherwise, so forged
    notifications cannot mark shops. Other event types are acknowledged and ignored."""
    settings: AuthSettings = request.app.state.auth_settings
    body = await request.body()
    if not verify_webhook(settings.tiktok_app_key, settings.tiktok_app_secret.get_secret_value(), body,
                          authorization):
        raise ApiError(401, "bad_signature", "webhook signature (Authorization header) does not match")
    try:
        payload = json.loads(body)
        event_type, shop_id = int(payload["type"]), str(payload["shop_id"])
        data = payload.get("data") or {}
        notification_id = payload.get("tts_notification_id")
    except (ValueError, KeyError, TypeError):
        raise ApiError(400, "bad_webhook", "webhook body is not a TikTok notification {type, shop_id, data}") from None
    svc = request.app.state.auth_service
    if event_type == SELLER_DEAUTHORIZATION:
        outcome = await seller_deauthorized(svc, shop_id, notification_id=notification_id)
    elif event_type == UPCOMING_AUTHORIZATION_EXPIRATION:
        outcome = await authorization_expiring(svc, shop_id, data if isinstance(data, dict) else {},
                                               notification_id=notification_id)
    else:
        outcome = "ignored"
    return {"ok": True, "outcome": outcome}
