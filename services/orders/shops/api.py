"""Admin HTTP API: the shops as this service sees them."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from services.orders.api import plain, runtime_of
from services.orders.shops import repo

router = APIRouter(tags=["shops"])


@router.get("/shops")
async def list_shops(request: Request) -> dict[str, Any]:
    async with runtime_of(request).db().acquire() as conn:
        shops = await repo.list_shops(conn)
    return {"shops": [plain(dict(r)) for r in shops]}
