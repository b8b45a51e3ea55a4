"""Admin HTTP API: the sync status per shop and kind."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from libs.common.web import database
from services.catalog.sync.status import repo

router = APIRouter(tags=["inventory"])


@router.get("/sync/status")
async def sync_status(request: Request, shop: str | None = None) -> dict[str, Any]:
    """Per shop and kind: changes waiting and the lag (age of the oldest), calls in the last minute against
    TikTok's limit, the last success, and the failed SKUs by TikTok's code (per SKU: `inventory show`)."""
    limit = int(request.app.state.runtime.settings.tiktok_qps_per_endpoint * 60)
    async with database(request).acquire() as conn:
        rows = await repo.status(conn, shop)
    return {"shops": [
        {"shop_id": r["shop_id"], "kind": r["kind"], "waiting": r["waiting"],
         "lag_s": round(float(r["oldest_waiting_s"]), 1) if r["oldest_waiting_s"] is not None else 0.0,
         "calls_last_minute": r["calls_last_minute"], "limit_per_minute": limit,
         "last_success_at": r["last_success_at"].isoformat() if r["last_success_at"] else None, "failed": r["failed"], "skipped": r["skipped"],
         "failures": list(r["failures"])}
        for r in rows]}
