"""Admin HTTP API of the reconciliation poll: poll one shop now."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from libs.common.web import component
from services.orders.intake.worker import NAME as POLL

router = APIRouter(tags=["download"])


@router.post("/shops/{shop_id}/poll")
async def poll_now(request: Request, shop_id: str) -> dict[str, Any]:
    """Refused unless the shop downloads orders; waits for a poll of the shop already running."""
    return (await component(request, POLL).one_shop(shop_id)).as_dict()  # type: ignore[no-any-return]
