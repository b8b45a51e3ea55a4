"""Events upstream systems (ERP, inventory master) publish: stock and price of a SKU."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import Field

from libs.common.events.base import (
    Currency,
    EventData,
    IdentifierText,
    NonNegativeMoney,
    Sku,
    Timestamp,
    seller_sku_field,
)


def _optional_shop() -> Any:
    return Field(
        default=None,
        description="Only for this TikTok shop; absent means every shop that lists the SKU.",
        examples=["7494049642642441621", None],
    )


#: The largest stock TikTok takes for one SKU in one warehouse (inventory/update answers an error above it).
MAX_QUANTITY = 99_999


class InventoryChanged(EventData):
    """The quantity of a SKU available to sell has changed.

    An event older (by ``occurred_at``) than the last one applied for the SKU is ignored, so
    producers may publish freely without ordering worries beyond the partition key.
    """

    event_type: ClassVar[str] = "InventoryChanged"
    topic: ClassVar[str] = "inventory.changed"
    key_field: ClassVar[str] = "seller_sku"

    seller_sku: Sku = seller_sku_field()
    available: int = Field(ge=0, le=MAX_QUANTITY, description=f"Units available to sell: 0 to {MAX_QUANTITY:,}, "
                           "what TikTok accepts for a SKU's stock (an event outside it goes to the DLQ).",
                           examples=[42, 0])
    shop_id: IdentifierText | None = _optional_shop()
    warehouse_id: IdentifierText | None = Field(
        default=None,
        description="TikTok warehouse id to update; absent means the shop's default warehouse.",
        examples=[None, "7068517275539719942"],
    )
    occurred_at: Timestamp = Field(
        description="When the quantity changed at the source; orders the events of one SKU.",
        examples=["2024-05-01T12:00:00Z"],
    )


class PriceChanged(EventData):
    """The selling price of a SKU has changed."""

    event_type: ClassVar[str] = "PriceChanged"
    topic: ClassVar[str] = "price.changed"
    key_field: ClassVar[str] = "seller_sku"

    seller_sku: Sku = seller_sku_field()
    amount: NonNegativeMoney = Field(description="New price as a decimal string.", examples=["19.99"])
    currency: Currency = Field(description="ISO 4217 currency code.", examples=["USD"])
    shop_id: IdentifierText | None = _optional_shop()
    occurred_at: Timestamp = Field(
        description="When the price changed at the source; orders the events of one SKU.",
        examples=["2024-05-01T12:00:00Z"],
    )
