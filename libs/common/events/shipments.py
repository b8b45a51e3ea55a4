"""ShipmentCreated: the WMS (or fulfillment, for manual and FBT shipments) shipped an order."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field, model_validator

from libs.common.events.base import (
    EventData,
    Identifier,
    NonEmptyName,
    Part,
    Sku,
    Timestamp,
    order_id_field,
    seller_sku_field,
    shop_id_field,
)
from libs.common.limits import MAX_INT4


class ShipmentLine(Part):
    """Units of one SKU in the shipment."""

    seller_sku: Sku = seller_sku_field()
    quantity: int = Field(ge=1, le=MAX_INT4, description="Units shipped.", examples=[1])


class ShipmentCreated(EventData):
    """An order (or part of it, R24) left the warehouse with a tracking number.

    Say what shipped with ``lines`` (SKU and quantity) or ``line_item_ids`` (TikTok's ids), not
    both; give neither to ship every line not shipped yet. ``shipment_id`` makes it idempotent.
    """

    event_type: ClassVar[str] = "ShipmentCreated"
    topic: ClassVar[str] = "shipments.created"
    key_field: ClassVar[str] = "order_id"

    shop_id: Identifier = shop_id_field()
    order_id: Identifier = order_id_field()
    shipment_id: Identifier = Field(
        description="The shipper's id of this shipment; the same id twice is one shipment.",
        examples=["WMS-000123"],
    )
    carrier: NonEmptyName = Field(
        description="Carrier name, or TikTok's shipping_provider_id.", examples=["UPS", "7117858858072016645"]
    )
    tracking_number: Identifier = Field(
        description="Carrier tracking number.", examples=["1Z999AA10123456784"]
    )
    lines: list[ShipmentLine] | None = Field(
        default=None,
        min_length=1,
        description="What shipped, by SKU; absent (with line_item_ids absent) means all remaining lines.",
        examples=[[{"seller_sku": "TSHIRT-RED-M", "quantity": 1}], None],
    )
    line_item_ids: list[Identifier] | None = Field(
        default=None,
        min_length=1,
        description="What shipped, by TikTok line item id; an alternative to lines.",
        examples=[None, ["577087614418520001"]],
    )
    shipped_at: Timestamp = Field(description="When it shipped.", examples=["2024-05-01T12:00:00Z"])

    @model_validator(mode="after")
    def _lines_or_ids(self) -> ShipmentCreated:
        if self.lines is not None and self.line_item_ids is not None:
            raise ValueError("give lines or line_item_ids, not both (or neither to ship all remaining lines)")
        return self
