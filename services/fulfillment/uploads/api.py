"""Admin HTTP API: shipments and their upload state, and re-queueing a failed one (thin: parse, call a use
case, shape)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from libs.common.web import database, wake
from services.fulfillment.shipping_query.domain import tiktok_side
from services.fulfillment.uploads import repo
from services.fulfillment.uploads.domain import Shipment, UploadStatus, shipment_not_found
from services.fulfillment.uploads.service import retry_shipment

router = APIRouter(tags=["shipments"])


def shipment_view(s: Shipment) -> dict[str, Any]:
    return {
        "shipment_id": s.shipment_id,
        "order_id": s.order_id,
        "shop_id": s.shop_id,
        "carrier": s.carrier,
        "shipping_provider_id": s.shipping_provider_id,
        "tracking_number": s.tracking_number,
        "line_item_ids": list(s.line_item_ids),
        "upload_status": s.upload_status.value,
        "error": s.error,
        "tiktok_package_id": s.tiktok_package_id,
        "attempts": s.attempts,
        "next_attempt_at": s.next_attempt_at.isoformat() if s.next_attempt_at else None,
        "shipped_at": s.shipped_at.isoformat() if s.shipped_at else None,
        "created_at": s.created_at.isoformat() if s.created_at else None,
        "uploaded_at": s.uploaded_at.isoformat() if s.uploaded_at else None,
        "source": s.source.value,
        "tiktok_status": s.tiktok_status,
        "tiktok_side": tiktok_side(s.tiktok_status),
    }


@router.get("/shipments")
async def list_shipments(
    request: Request,
    order_id: str | None = None,
    status: Annotated[UploadStatus | None, Query(description="Only shipments in this upload status.")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> dict[str, Any]:
    async with database(request).acquire() as conn:
        found = await repo.list_shipments(
            conn, order_id=order_id, status=None if status is None else status.value, limit=limit
        )
    return {"shipments": [shipment_view(s) for s in found]}


@router.get("/shipments/{shipment_id}")
async def get_shipment(request: Request, shipment_id: str) -> dict[str, Any]:
    async with database(request).acquire() as conn:
        found = await repo.get_shipment(conn, shipment_id)
    if found is None:
        raise shipment_not_found(shipment_id)
    return shipment_view(found)


@router.post("/shipments/{shipment_id}/retry")
async def retry(request: Request, shipment_id: str) -> dict[str, Any]:
    updated = await retry_shipment(database(request), shipment_id)
    wake(request, "shipment-uploader")
    return shipment_view(updated)
