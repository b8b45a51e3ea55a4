"""Admin HTTP API: shipments and their upload state (thin: parse, call a use case, shape)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from libs.common.web import ApiError
from services.fulfillment import shipment_repo
from services.fulfillment.domain import Shipment, UploadStatus
from services.fulfillment.service import NotRetryable, ShipmentNotFound, retry_shipment
from services.fulfillment.tracking_rules import tiktok_side

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


def _runtime(request: Request) -> Any:
    return request.app.state.runtime


@router.get("/shipments")
async def list_shipments(
    request: Request,
    order_id: str | None = None,
    status: Annotated[UploadStatus | None, Query(description="Only shipments in this upload status.")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> dict[str, Any]:
    async with _runtime(request).db().acquire() as conn:
        found = await shipment_repo.list_shipments(
            conn, order_id=order_id, status=None if status is None else status.value, limit=limit
        )
    return {"shipments": [shipment_view(s) for s in found]}


@router.get("/shipments/{shipment_id}")
async def get_shipment(request: Request, shipment_id: str) -> dict[str, Any]:
    async with _runtime(request).db().acquire() as conn:
        found = await shipment_repo.get_shipment(conn, shipment_id)
    if found is None:
        raise ApiError(404, "shipment_not_found", f"no shipment {shipment_id!r} has been received")
    return shipment_view(found)


@router.post("/shipments/{shipment_id}/retry")
async def retry(request: Request, shipment_id: str) -> dict[str, Any]:
    runtime = _runtime(request)
    try:
        updated = await retry_shipment(runtime.db(), shipment_id)
    except ShipmentNotFound:
        raise ApiError(404, "shipment_not_found", f"no shipment {shipment_id!r} has been received") from None
    except NotRetryable as exc:
        raise ApiError(409, "not_retryable", str(exc)) from None
    uploader = getattr(request.app.state, "uploader", None)
    if uploader is not None:
        uploader.wake()
    return shipment_view(updated)
