"""Bulk post (R44): queue a job; its progress is read at ``GET /jobs/{id}`` (taxonomy's jobs endpoint)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from libs.common.limits import Sku
from libs.common.web import ApiError, database, wake
from services.catalog.posting.jobs import service

router = APIRouter(tags=["posting"])


class BulkPost(BaseModel):
    all_ready: bool = Field(default=False, description="Every product ready for the shop and not yet on TikTok.")
    skus: list[Sku] = Field(default_factory=list, description="These seller SKUs (matrix parents or single products).")


@router.post("/shops/{shop_id}/posts", status_code=202)
async def bulk_post(request: Request, shop_id: str, body: BulkPost) -> dict[str, Any]:
    """R44: one queued job posting many products, with progress at ``GET /jobs/{id}``."""
    if body.all_ready == bool(body.skus):
        raise ApiError(400, "invalid_request", "give all_ready or a list of skus (not both)")
    job, size = await service.queue_bulk_post(database(request), shop_id, None if body.all_ready else body.skus)
    wake(request, "post-jobs")
    return job_view(job, {"posted": 0, "failed": 0, "waiting": size, "in_review": 0, "live": 0,
                          "rejected": 0}, [])


def job_view(job: Any, counts: dict[str, int], errors: list[Any]) -> dict[str, Any]:
    return {
        "id": str(job["id"]), "kind": "auto post" if job["kind"] == "auto" else "bulk post", "shop_id": job["shop_id"], "status": job["status"],
        "total": job["total"], "done": counts["posted"] + counts["failed"], "failed": counts["failed"],
        "posted": counts["posted"], "in_review": counts["in_review"], "live": counts["live"],
        "rejected": counts["rejected"], "waiting": counts["waiting"], "error": job["error"],
        "errors": [{"seller_sku": e["seller_sku"], "error": e["error"]} for e in errors],
        "created_at": job["created_at"].isoformat(), "updated_at": job["updated_at"].isoformat(),
        "finished_at": job["finished_at"].isoformat() if job["finished_at"] else None,
    }
