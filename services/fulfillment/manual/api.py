"""Admin HTTP API for manual tracking (R21): ``POST /orders/{order_id}/ship``."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, model_validator

from libs.common.limits import MAX_INT4, Identifier, IdentifierText, Name, Sku
from libs.common.web import database, wake
from services.fulfillment.manual.domain import ManualShipment
from services.fulfillment.manual.service import ship_manually
from services.fulfillment.uploads.api import shipment_view
from services.fulfillment.uploads.domain import RequestedLine

router = APIRouter(tags=["manual tracking"])


class ShipLine(BaseModel):
    seller_sku: Sku
    quantity: int = Field(ge=1, le=MAX_INT4)


class ShipRequest(BaseModel):
    carrier: Name = Field(min_length=1, description="Carrier name or TikTok shipping_provider_id.")
    tracking_number: IdentifierText = Field(min_length=1)
    lines: list[ShipLine] | None = Field(default=None, min_length=1, description="What shipped, by SKU.")
    line_item_ids: list[Identifier] | None = Field(default=None, min_length=1, description="What shipped, by TikTok id.")
    shipment_id: IdentifierText | None = Field(default=None, min_length=1, description="Your id; default: from the tracking.")

    @model_validator(mode="after")
    def _one_selector(self) -> ShipRequest:
        if self.lines is not None and self.line_item_ids is not None:
            raise ValueError("give lines or line_item_ids, not both (or neither to ship everything left)")
        if not self.carrier.strip() or not self.tracking_number.strip():
            raise ValueError("carrier and tracking_number must not be blank")
        return self


@router.post("/orders/{order_id}/ship")
async def ship_order(request: Request, order_id: str, body: ShipRequest) -> JSONResponse:
    runtime = request.app.state.runtime
    wanted = ManualShipment(
        carrier=body.carrier, tracking_number=body.tracking_number, shipment_id=body.shipment_id,
        lines=None if body.lines is None else [RequestedLine(x.seller_sku, x.quantity) for x in body.lines],
        line_item_ids=body.line_item_ids,
    )
    shipment, created = await ship_manually(database(request), order_id, wanted, source=runtime.source)
    runtime.wake_relay()
    wake(request, "shipment-uploader")
    return JSONResponse(shipment_view(shipment), status_code=201 if created else 200)
