"""The TikTok webhook receiver: verify, store, answer (TikTok wants the 200 within 3 s)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Request

from libs.common.webhooks import intake
from services.orders.api import runtime_of, settings_of
from services.orders.intake.webhooks import service
from services.orders.intake.webhooks.worker import NAME as WEBHOOK_WORKER

router = APIRouter(tags=["webhooks"])


@router.post("/webhooks/tiktok")
async def tiktok_webhook(
    request: Request, authorization: Annotated[str | None, Header()] = None
) -> dict[str, Any]:
    settings, rt = settings_of(request), runtime_of(request)
    notification = await intake(request, signature=authorization, app_key=settings.tiktok_app_key,
                                app_secret=settings.tiktok_app_secret)
    return await service.receive(rt.db(), notification, wake=lambda: rt.components.wake(WEBHOOK_WORKER))
