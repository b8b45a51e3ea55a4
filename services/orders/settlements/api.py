"""Admin HTTP API for settlements (R15): import a shop's statements now, and an order's settlements."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from libs.common.web import component
from services.orders.api import plain, runtime_of
from services.orders.settlements import repo
from services.orders.settlements.worker import NAME as SETTLEMENTS

router = APIRouter(tags=["settlements"])


@router.post("/shops/{shop_id}/settlements/import")
async def import_settlements(request: Request, shop_id: str) -> dict[str, Any]:
    """Refused unless the shop downloads orders; waits for an import of the shop already running."""
    return (await component(request, SETTLEMENTS).one_shop(shop_id)).as_dict()  # type: ignore[no-any-return]


@router.get("/orders/{order_id}/settlements")
async def order_settlements(request: Request, order_id: str) -> dict[str, Any]:
    async with runtime_of(request).db().acquire() as conn:
        rows = await repo.settlements_of(conn, order_id)
    return {"settlements": [plain(dict(r)) for r in rows]}
