"""Admin HTTP API of manual range downloads (R11): queue one, follow it."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from libs.common.limits import IdentifierText
from services.orders.api import MAX_LIST, plain, runtime_of
from services.orders.intake.jobs import service
from services.orders.intake.jobs.worker import NAME as JOB_WORKER

router = APIRouter(tags=["download"])


class DownloadRequest(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    shop: IdentifierText = Field(min_length=1, description="TikTok shop id.")
    from_: datetime | None = Field(default=None, alias="from", description="Start (ISO date or datetime; UTC if naive).")
    to: datetime | None = Field(default=None, description="End, exclusive (default now).")


@router.post("/jobs/download", status_code=201)
async def create_download_job(request: Request, body: DownloadRequest) -> JSONResponse:
    rt = runtime_of(request)
    job = await service.create_job(rt.db(), shop_id=body.shop, from_=body.from_, to=body.to,
                                   wake=lambda: rt.components.wake(JOB_WORKER))
    return JSONResponse(plain(job), status_code=201)


@router.get("/jobs")
async def list_jobs(request: Request, shop: str | None = None,
                    limit: Annotated[int, Query(ge=1, le=MAX_LIST)] = 20) -> dict[str, Any]:
    return {"jobs": plain(await service.list_jobs(runtime_of(request).db(), shop_id=shop, limit=limit))}


@router.get("/jobs/{job_id}")
async def get_job(request: Request, job_id: uuid.UUID) -> dict[str, Any]:
    return plain(await service.get_job(runtime_of(request).db(), job_id))  # type: ignore[no-any-return]
