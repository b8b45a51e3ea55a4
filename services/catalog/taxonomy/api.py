"""Admin HTTP API of the taxonomy (R30, R31, R35, R37): what `ttshop catalog categories|attributes|brands`
call. Thin: parse, call a use case, map its errors."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field

from libs.common.limits import Identifier, IdentifierText
from libs.common.spreadsheet import UnsupportedFormat, format_of, write_table
from libs.common.tiktok.tokens import AUTHORIZATION_PROBLEMS, TokenServiceRejected
from libs.common.web import ApiError, component, database, wake
from services.catalog.posting.jobs import repo as jobs_repo
from services.catalog.posting.jobs.api import job_view
from services.catalog.taxonomy import repo, service
from services.catalog.taxonomy.domain import EXPORT_COLUMNS, Attribute, export_rows, full_paths, matches
from services.catalog.taxonomy.tiktok import TaxonomyTikTok

router = APIRouter(tags=["taxonomy"])


def _tiktok(request: Request) -> TaxonomyTikTok:
    return component(request, "taxonomy-tiktok")  # type: ignore[no-any-return]


@asynccontextmanager
async def _errors() -> AsyncIterator[None]:
    try:
        yield
    except service.TaxonomyError as exc:
        raise ApiError(409, "taxonomy", str(exc)) from exc
    except AUTHORIZATION_PROBLEMS as exc:
        raise ApiError(409, "shop_not_authorized", f"{exc}; reconnect the shop (`ttshop shops connect`)") from exc
    except TokenServiceRejected as exc:
        raise ApiError(502, "auth_service_rejected", str(exc)) from exc


@router.post("/shops/{shop_id}/categories/download")
async def download_categories(request: Request, shop_id: str) -> dict[str, Any]:
    async with _errors():
        changes = await service.download_categories(database(request), _tiktok(request), shop_id)
    return {"shop_id": shop_id, **changes.as_dict()}


@router.get("/shops/{shop_id}/categories")
async def list_categories(
    request: Request, shop_id: str, search: str | None = None, leaf: bool = False,
    limit: Annotated[int, Query(ge=1, le=100_000)] = 1000,
) -> dict[str, Any]:
    async with database(request).acquire() as conn:
        tree = await repo.categories(conn, shop_id)
    if not tree:
        raise ApiError(404, "no_categories",
                       f"no categories downloaded for shop {shop_id}; run `ttshop catalog categories download {shop_id}`")
    paths = full_paths(tree)
    found = [c for cid, c in tree.items() if matches(c, paths[cid], search=search, leaf_only=leaf)]
    found.sort(key=lambda c: paths[c.id].lower())
    return {"shop_id": shop_id, "total": len(found), "categories": [
        {"id": c.id, "name": c.name, "parent_id": c.parent_id, "path": paths[c.id], "is_leaf": c.is_leaf,
         "permission": c.permission, "permission_statuses": list(c.permission_statuses)} for c in found[:limit]]}


@router.get("/shops/{shop_id}/categories/export")
async def export_categories(request: Request, shop_id: str, filename: str = "categories.xlsx") -> Response:
    try:
        fmt = format_of(filename)
    except UnsupportedFormat as exc:
        raise ApiError(400, "unsupported_format", str(exc)) from exc
    async with database(request).acquire() as conn:
        tree = await repo.categories(conn, shop_id)
    if not tree:
        raise ApiError(404, "no_categories",
                       f"no categories downloaded for shop {shop_id}; run `ttshop catalog categories download {shop_id}`")
    body = write_table(EXPORT_COLUMNS, export_rows(tree), fmt, sheet_title="Categories")
    media = "text/csv" if fmt == "csv" else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(body, media_type=media, headers={"content-disposition": f'attachment; filename="{filename}"'})


class AttributeDownload(BaseModel):
    category_id: IdentifierText | None = Field(default=None, description="One category.")
    used: bool = Field(default=False, description="The categories our products use on the shop.")
    all_leaves: bool = Field(default=False, description="Every leaf of the downloaded tree (thousands of calls).")


@router.post("/shops/{shop_id}/attributes/download", status_code=202)
async def download_attributes(request: Request, shop_id: str, body: AttributeDownload) -> dict[str, Any]:
    async with _errors():
        job = await service.queue_attribute_download(database(request), shop_id, category_id=body.category_id,
                                                     used=body.used, all_leaves=body.all_leaves)
    wake(request, "attribute-jobs")
    return _job(job, [])


@router.get("/shops/{shop_id}/categories/{category_id}/attributes")
async def category_attributes(request: Request, shop_id: str, category_id: str) -> dict[str, Any]:
    async with database(request).acquire() as conn:
        found = (await repo.details(conn, shop_id, [category_id])).get(category_id)
    if found is None:
        raise ApiError(404, "attributes_not_downloaded", f"attributes of category {category_id} were not downloaded "
                       f"for shop {shop_id}; run `ttshop catalog attributes download {shop_id} --category {category_id}`")
    attributes = [Attribute.from_json(a) for a in found["attributes"]]
    return {"shop_id": shop_id, "category_id": category_id, "attributes": [a.to_json() for a in attributes],
            "certifications": found["certifications"], "size_chart": found["size_chart"],
            "package_dimension_required": found["package_dimension_required"],
            "downloaded_at": found["downloaded_at"].isoformat()}


class BrandDownload(BaseModel):
    category_ids: list[Identifier] | None = Field(default=None, description="Categories to read authorisations for "
                                           "(default: those our products use).")


@router.post("/shops/{shop_id}/brands/download")
async def download_brands(request: Request, shop_id: str, body: BrandDownload) -> dict[str, Any]:
    async with _errors():
        return await service.download_brands(database(request), _tiktok(request), shop_id,
                                             category_ids=body.category_ids)


#: The most jobs ``GET /jobs`` answers at once.
MAX_JOBS = 200


@router.get("/jobs")
async def list_jobs(request: Request, shop: IdentifierText | None = None,
                    limit: Annotated[int, Query(ge=1, le=MAX_JOBS)] = 50) -> dict[str, Any]:
    """Every catalog job, newest first: attribute downloads and bulk / auto posts, each as ``GET /jobs/{id}``
    answers it (with the first 20 errors). Category and brand downloads and the product import (R41) are
    answered when they finish, so they are no jobs."""
    async with database(request).acquire() as conn:
        downloads = await repo.recent_jobs(conn, shop_id=shop, limit=limit)
        posts = await jobs_repo.recent(conn, shop_id=shop, limit=limit)
        download_errors = await repo.errors_of_jobs(conn, [j["id"] for j in downloads])
        post_counts = await jobs_repo.counts_of(conn, [j["id"] for j in posts])
        post_errors = await jobs_repo.errors_of(conn, [j["id"] for j in posts])
    found = [(j["created_at"], str(j["id"]), _job(j, download_errors[j["id"]])) for j in downloads]
    found += [(j["created_at"], str(j["id"]), job_view(j, post_counts[j["id"]], post_errors[j["id"]])) for j in posts]
    found.sort(key=lambda f: (f[0], f[1]), reverse=True)
    return {"jobs": [view for _, _, view in found[:limit]]}


@router.get("/jobs/{job_id}")
async def get_job(request: Request, job_id: str) -> dict[str, Any]:
    try:
        key = uuid.UUID(job_id)
    except ValueError:
        raise ApiError(400, "invalid_job_id", f"job id must be a UUID, got {job_id!r}") from None
    async with database(request).acquire() as conn:
        job = await repo.get_job(conn, key)
        if job is None:  # a bulk post job (posting feature)
            post = await jobs_repo.get(conn, key)
            if post is None:
                raise ApiError(404, "job_not_found", f"no catalog job {job_id}")
            return job_view(post, await jobs_repo.counts(conn, key), await jobs_repo.errors(conn, key))
        errors = await repo.job_errors(conn, key)
    return _job(job, errors)


def _job(job: Any, errors: list[Any]) -> dict[str, Any]:
    return {
        "id": str(job["id"]), "kind": f"{job['kind']} download", "shop_id": job["shop_id"], "status": job["status"],
        "total": job["total"], "done": job["done"], "failed": job["failed"], "error": job["error"],
        "errors": [{"category_id": e["category_id"], "error": e["error"]} for e in errors],
        "created_at": job["created_at"].isoformat(), "updated_at": job["updated_at"].isoformat(),
        "finished_at": job["finished_at"].isoformat() if job["finished_at"] else None,
    }
