"""The catalog's TikTok webhook receiver: PRODUCT_STATUS_CHANGE (type 5), signature checked, stored on
receipt (TikTok wants a 200 within 3 s) for the review worker to read the product back."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Header, Request

from libs.common.tiktok.signing import verify_webhook
from libs.common.web import ApiError
from services.catalog.posting import repo
from services.catalog.posting.review import PRODUCT_STATUS_CHANGE

router = APIRouter(tags=["webhooks"])


@router.post("/webhooks/tiktok")
async def tiktok_webhook(request: Request, authorization: Annotated[str | None, Header()] = None) -> dict[str, Any]:
    settings = request.app.state.runtime.settings
    body = await request.body()
    if not verify_webhook(settings.tiktok_app_key, settings.tiktok_app_secret.get_secret_value(), body, authorization):
        raise ApiError(401, "bad_signature", "webhook signature (Authorization header) does not match")
    try:
        payload = json.loads(body)
        event_type, shop_id = int(payload["type"]), str(payload["shop_id"])
        data = payload.get("data") or {}
    except (ValueError, KeyError, TypeError):
        raise ApiError(400, "bad_webhook", "webhook body is not a TikTok notification {type, shop_id, data}") from None
    if event_type != PRODUCT_STATUS_CHANGE or not isinstance(data, dict) or not data.get("product_id"):
        return {"ok": True, "outcome": "ignored"}
    async with request.app.state.runtime.db().acquire() as conn:
        await repo.due_check(conn, shop_id, str(data["product_id"]))
    wake = getattr(request.app.state, "wake_review", None)
    if wake is not None:
        wake()
    return {"ok": True, "outcome": "queued"}
