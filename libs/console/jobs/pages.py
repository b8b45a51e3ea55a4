"""Jobs: every queued job with a live progress bar, counts and errors: the orders service's range downloads
(R11) and the catalog's attribute downloads and bulk / auto posts, each service's ``GET /jobs``; one job with
all its errors at ``/jobs/{service}/{id}``. A service that cannot answer is shown as an error, the rest stays."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from libs.cli.arguments import segment

from ..client import ServiceError
from ..web import Operator, operator, page
from . import views

router = APIRouter()
Signed = Annotated[Operator, Depends(operator)]
#: The newest jobs asked of each service.
LIMIT = 100


async def _jobs(signed: Operator, service: str, shop: str | None) -> tuple[str, Any, str | None]:
    try:
        return service, await signed.api.get(service, "/jobs", shop=shop, limit=LIMIT), None
    except ServiceError as exc:
        return service, None, f"{service} jobs: Error: {exc.shown}"


async def _list(signed: Operator, shop: str | None) -> dict[str, Any]:
    shop = (shop or "").strip() or None
    answers = await asyncio.gather(*(_jobs(signed, service, shop) for service in views.JOB_SERVICES))
    rows = views.job_rows({service: body for service, body, error in answers if error is None})
    return {"jobs": rows, "summary": views.summary(rows), "errors": [e for _, _, e in answers if e],
            "shop": shop or "", "limit": LIMIT}


@router.get("/jobs", response_class=HTMLResponse)
async def jobs_page(request: Request, signed: Signed, shop: str | None = None) -> HTMLResponse:
    return page(request, "jobs/list.html", **await _list(signed, shop))


@router.get("/jobs/table", response_class=HTMLResponse)
async def jobs_table(request: Request, signed: Signed, shop: str | None = None) -> HTMLResponse:
    return page(request, "jobs/parts/table.html", **await _list(signed, shop))


async def _job(signed: Operator, service: str, job_id: str) -> dict[str, Any]:
    context: dict[str, Any] = {"service": service, "job_id": job_id, "job": None, "error": None}
    if service not in views.JOB_SERVICES:
        context["error"] = f"Error: no service {service!r} runs jobs (the {' and '.join(views.JOB_SERVICES)} do)"
        return context
    try:
        context["job"] = views.job_row(service, await signed.api.get(service, f"/jobs/{segment(job_id)}"))
    except ServiceError as exc:
        context["error"] = f"Error: {exc.shown}"
    return context


@router.get("/jobs/{service}/{job_id}", response_class=HTMLResponse)
async def job_page(request: Request, service: str, job_id: str, signed: Signed) -> HTMLResponse:
    return page(request, "jobs/detail.html", **await _job(signed, service, job_id))


@router.get("/jobs/{service}/{job_id}/part", response_class=HTMLResponse)
async def job_part(request: Request, service: str, job_id: str, signed: Signed) -> HTMLResponse:
    return page(request, "jobs/parts/job.html", **await _job(signed, service, job_id))
