"""Admin HTTP API: product import (R41)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from libs.common.tiktok.tokens import ShopNotAuthorized, TokenServiceRejected
from libs.common.web import ApiError, component, database
from services.catalog.importing import service

router = APIRouter(tags=["products"])


@router.post("/shops/{shop_id}/import")
async def import_products(request: Request, shop_id: str) -> dict[str, Any]:
    """Download the shop's active listings and match them to our SKUs (R41); answers the counts."""
    tiktok = component(request, "import-tiktok")
    try:
        counts = await service.import_products(database(request), tiktok, shop_id,
                                                page_size=request.app.state.runtime.settings.import_page_size)
    except ShopNotAuthorized as exc:
        raise ApiError(409, "shop_not_authorized", f"{exc}; connect the shop first (`ttshop shops connect`)") from exc
    except TokenServiceRejected as exc:
        raise ApiError(502, "auth_service_rejected", str(exc)) from exc
    return {"shop_id": shop_id, **counts.as_dict()}
