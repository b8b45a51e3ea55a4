"""Admin HTTP API of shadow SKUs (R42): what `ttshop catalog shadows link|unlink|list` calls."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from libs.common.limits import Sku
from libs.common.web import ApiError, database, wake
from services.catalog.shadows import service
from services.catalog.shadows.service import LinkRefused

router = APIRouter(tags=["shadows"])


class Link(BaseModel):
    shadow_sku: Sku = Field(description="The SKU whose listings take the master's stock.")
    master_sku: Sku = Field(description="The SKU whose stock they take.")


def _coalesce_s(request: Request) -> float:
    return float(request.app.state.runtime.settings.upload_coalesce_s)


def _wake_uploader(request: Request) -> None:
    """The queued stock goes out when it falls due, not at the uploader's next idle poll."""
    wake(request, "listing-uploader")


@router.post("/shadows")
async def link(request: Request, body: Link) -> dict[str, Any]:
    """Link (or re-link) a shadow to its master; the master's stock is queued for the shadow's listings."""
    try:
        linked = await service.link(database(request), body.shadow_sku.strip(), body.master_sku.strip(),
                                    coalesce_s=_coalesce_s(request))
    except LinkRefused as exc:
        raise ApiError(exc.status, "shadow_refused", exc.message) from exc
    _wake_uploader(request)
    return linked


@router.delete("/shadows/{shadow_sku}")
async def unlink(request: Request, shadow_sku: str) -> dict[str, Any]:
    try:
        unlinked = await service.unlink(database(request), shadow_sku, coalesce_s=_coalesce_s(request))
    except LinkRefused as exc:
        raise ApiError(exc.status, "shadow_not_found", exc.message) from exc
    _wake_uploader(request)
    return unlinked


@router.get("/shadows")
async def list_links(request: Request) -> dict[str, Any]:
    return {"shadows": await service.links(database(request))}
