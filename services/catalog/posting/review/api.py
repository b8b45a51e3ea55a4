"""The catalog's TikTok webhook receiver: PRODUCT_STATUS_CHANGE (type 5), checked by the shared intake,
stored on receipt (TikTok wants a 200 within 3 s) for the review worker to read the product back."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Request

from libs.common.web import database, wake
from libs.common.webhooks import intake
from services.catalog.posting.review.service import receive

router = APIRouter(tags=["webhooks"])


@router.post("/webhooks/tiktok")
async def tiktok_webhook(request: Request, authorization: Annotated[str | None, Header()] = None) -> dict[str, Any]:
    """Signed by TikTok; refused otherwise (413 over 1 MiB, 401 unsigned or forged, 400 not a notification)."""
    settings = request.app.state.runtime.settings
    notification = await intake(request, signature=authorization, app_key=settings.tiktok_app_key,
                                app_secret=settings.tiktok_app_secret)
    return await receive(database(request), notification, wake=lambda: wake(request, "listing-review"))
