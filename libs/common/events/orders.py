"""Events the orders service publishes: downloaded orders, cancellations, status changes."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import Field, model_validator

from libs.common.events.base import (
    Currency,
    EventData,
    Identifier,
    IdentifierText,
    Json,
    Name,
    NonEmptyName,
    NonNegativeMoney,
    Part,
    Sku,
    Text,
    Timestamp,
    order_id_field,
    seller_sku_field,
    shop_id_field,
)
from libs.common.limits import MAX_INT4

FBT_SUBTYPE = "Fulfilled by TikTok"
_WHEN = "2024-05-01T12:00:00Z"


def _our_status() -> Any:
    return Field(
        description="Our order status: In Process, On Hold, Shipped, Completed, Cancelled, …",
        examples=["In Process", "Completed"],
    )


def _tiktok_status() -> Any:
    return Field(
        default=None,
        description="The order status as TikTok reports it (R23), shown next to ours.",
        examples=["AWAITING_SHIPMENT", "IN_TRANSIT"],
    )


class OrderTotals(Part):
    """Order amounts, decimal strings in the order's currency."""

    sub_total: NonNegativeMoney = Field(description="Sum of the lines.", examples=["39.98"])
    shipping_fee: NonNegativeMoney = Field(description="Shipping charged to the buyer.", examples=["5.00"])
    tax: NonNegativeMoney = Field(description="Tax charged to the buyer.", examples=["3.20"])
    total: NonNegativeMoney = Field(description="What the buyer paid.", examples=["48.18"])


class Recipient(Part):
    """Ship-to. Empty while TikTok holds an order ON_HOLD, hence every field optional."""

    name: Text | None = Field(default=None, description="Recipient name.", examples=["Jane Doe"])
    phone: Text | None = Field(default=None, description="Recipient phone.", examples=["+1 555 0100"])
    address_line1: Text | None = Field(default=None, description="Street address.", examples=["1 Main St"])
    address_line2: Text | None = Field(
        default=None, description="Apartment, suite, …", examples=["Apt 4", None]
    )
    city: Text | None = Field(default=None, description="City.", examples=["Austin"])
    state: Text | None = Field(default=None, description="State or region.", examples=["TX"])
    postal_code: Text | None = Field(default=None, description="Postal code.", examples=["78701"])
    country: Text | None = Field(default=None, description="Country code.", examples=["US"])
    full_address: Text | None = Field(
        default=None,
        description="The whole address as TikTok formats it.",
        examples=["1 Main St, Austin, TX 78701"],
    )


class OrderLine(Part):
    """One SKU of an order. TikTok has one line item per unit; they are aggregated here."""

    seller_sku: Sku = seller_sku_field()
    sku_id: Identifier = Field(description="TikTok SKU id.", examples=["1729592969712207001"])
    product_id: Identifier = Field(description="TikTok product id.", examples=["1729592969712207000"])
    product_name: Text | None = Field(default=None, description="Product title.", examples=["T-shirt, red, M"])
    quantity: int = Field(ge=1, le=MAX_INT4, description="Units ordered.", examples=[2])
    unit_price: NonNegativeMoney = Field(description="Sale price of one unit.", examples=["19.99"])
    line_item_ids: list[Identifier] = Field(
        min_length=1,
        description="TikTok line item ids, one per unit; needed to ship or cancel single units.",
        examples=[["577087614418520001", "577087614418520002"]],
    )


class OrderDownloaded(EventData):
    """A TikTok order was downloaded (R10–R14). Published once per order; the WMS picks from it."""

    event_type: ClassVar[str] = "OrderDownloaded"
    topic: ClassVar[str] = "orders.downloaded"
    key_field: ClassVar[str] = "order_id"

    shop_id: Identifier = shop_id_field()
    order_id: Identifier = order_id_field()
    status: NonEmptyName = _our_status()
    tiktok_status: Name | None = _tiktok_status()
    order_source: Literal["Website"] = Field(
        default="Website", description="Always Website (R12).", examples=["Website"]
    )
    channel: Literal["TikTok Shop"] = Field(
        default="TikTok Shop", description="Always TikTok Shop (R12).", examples=["TikTok Shop"]
    )
    fulfillment_type: Literal["SELLER", "TIKTOK"] = Field(
        description="SELLER: the seller ships; TIKTOK: Fulfilled by TikTok (FBT).",
        examples=["SELLER", "TIKTOK"],
    )
    subtype: Name | None = Field(
        default=None, description=f'"{FBT_SUBTYPE}" for FBT orders (R14).', examples=[None, FBT_SUBTYPE]
    )
    shipping_status: NonEmptyName = Field(description="Our shipping status.", examples=["Unshipped"])
    is_on_hold: bool = Field(
        default=False,
        description="TikTok still holds the order in its buyer-cancel window (R19).",
        examples=[False],
    )
    is_replacement: bool = Field(
        default=False, description="A replacement order (R13).", examples=[False, True]
    )
    replaced_order_id: IdentifierText | None = Field(
        default=None,
        description="The original order of a replacement.",
        examples=[None, "576486316948490000"],
    )
    notes: list[Text] = Field(
        default_factory=list,
        description="System notes, e.g. naming the original order of a replacement.",
        examples=[[], ["Replacement for TikTok order 576486316948490000"]],
    )
    buyer_message: Text | None = Field(
        default=None,
        description="The buyer's message to the seller, verbatim as TikTok has it (its `buyer_message`); "
                    "absent when the buyer left none.",
        examples=[None, "Please leave it with the neighbour"],
    )
    created_at: Timestamp = Field(description="When the buyer placed the order.", examples=[_WHEN])
    paid_at: Timestamp | None = Field(default=None, description="When it was paid.", examples=[_WHEN])
    payment_method: Name | None = Field(
        default=None, description="TikTok's payment method name.", examples=["PayPal"]
    )
    currency: Currency = Field(description="ISO 4217 currency of every amount.", examples=["USD"])
    totals: OrderTotals = Field(
        description="Order amounts.",
        examples=[{"sub_total": "39.98", "shipping_fee": "5.00", "tax": "3.20", "total": "48.18"}],
    )
    recipient: Recipient = Field(
        default_factory=Recipient,
        description="Ship-to address.",
        examples=[
            {
                "name": "Jane Doe",
                "address_line1": "1 Main St",
                "city": "Austin",
                "state": "TX",
                "postal_code": "78701",
                "country": "US",
            }
        ],
    )
    lines: list[OrderLine] = Field(
        min_length=1,
        description="Ordered SKUs with quantities.",
        examples=[
            [
                {
                    "seller_sku": "TSHIRT-RED-M",
                    "sku_id": "1729592969712207001",
                    "product_id": "1729592969712207000",
                    "product_name": "T-shirt, red, M",
                    "quantity": 2,
                    "unit_price": "19.99",
                    "line_item_ids": ["577087614418520001", "577087614418520002"],
                }
            ]
        ],
    )
    wms_should_pick: bool = Field(
        description="True when the WMS must pick and ship it; False for FBT orders, which TikTok ships.",
        examples=[True],
    )

    @model_validator(mode="after")
    def _consistent(self) -> OrderDownloaded:
        if self.fulfillment_type == "TIKTOK" and self.wms_should_pick:
            raise ValueError("wms_should_pick must be false for an FBT order (fulfillment_type TIKTOK)")
        if self.is_replacement and not self.replaced_order_id:
            raise ValueError("a replacement order (is_replacement true) needs replaced_order_id")
        return self


class CancelledLine(Part):
    """Units of one SKU that were cancelled."""

    seller_sku: Sku = seller_sku_field()
    quantity: int = Field(ge=1, le=MAX_INT4, description="Units cancelled.", examples=[1])
    line_item_ids: list[IdentifierText] = Field(
        default_factory=list, description="TikTok line item ids cancelled.", examples=[["577087614418520002"]]
    )


class CancellationDetected(EventData):
    """A cancellation made on TikTok (or sent by us) was detected for an order (R17, R18).

    ``applied`` says whether our order was cancelled: a cancellation for an order already
    shipped is recorded and flagged, not applied, and ``not_applied_reason`` says why.
    """

    event_type: ClassVar[str] = "CancellationDetected"
    topic: ClassVar[str] = "orders.cancellation-detected"
    key_field: ClassVar[str] = "order_id"

    shop_id: Identifier = shop_id_field()
    order_id: Identifier = order_id_field()
    cancellation_id: IdentifierText | None = Field(
        default=None,
        description="TikTok's cancellation request id, when there is one.",
        examples=["4035318504086"],
    )
    initiated_by: Literal["BUYER", "SELLER", "SYSTEM"] = Field(
        description="Who asked for the cancellation.", examples=["BUYER"]
    )
    reason: Text | None = Field(
        default=None, description="Cancellation reason.", examples=["No longer needed"]
    )
    lines: list[CancelledLine] | None = Field(
        default=None,
        description="The cancelled units; absent means the whole order.",
        examples=[
            None,
            [{"seller_sku": "TSHIRT-RED-M", "quantity": 1, "line_item_ids": ["577087614418520002"]}],
        ],
    )
    tiktok_status: Name | None = _tiktok_status()
    applied: bool = Field(description="Whether our order was cancelled accordingly.", examples=[True, False])
    not_applied_reason: Text | None = Field(
        default=None,
        description="Why it was not applied (for example the order had already shipped).",
        examples=[None, "order already shipped"],
    )
    detected_at: Timestamp = Field(description="When we detected it.", examples=[_WHEN])

    @model_validator(mode="after")
    def _reason_when_not_applied(self) -> CancellationDetected:
        if not self.applied and not self.not_applied_reason:
            raise ValueError("not_applied_reason is required when applied is false")
        return self


class Tracking(Part):
    """One package's tracking."""

    tracking_number: Identifier = Field(
        description="Carrier tracking number.", examples=["1Z999AA10123456784"]
    )
    carrier: Name | None = Field(default=None, description="Carrier name.", examples=["UPS"])
    package_id: IdentifierText | None = Field(
        default=None, description="TikTok package id.", examples=["1152921504606846976"]
    )


class OrderStatusChanged(EventData):
    """Something happened to an order after download: shipped, completed, refunded, settled, …"""

    event_type: ClassVar[str] = "OrderStatusChanged"
    topic: ClassVar[str] = "orders.status-changed"
    key_field: ClassVar[str] = "order_id"

    shop_id: Identifier = shop_id_field()
    order_id: Identifier = order_id_field()
    status: NonEmptyName = _our_status()
    kind: NonEmptyName = Field(
        description="What happened: shipped, completed, cancelled, refunded, settled, or status (other changes).",
        examples=["shipped", "completed", "refunded", "settled", "status"],
    )
    tiktok_status: Name | None = _tiktok_status()
    previous_status: Name | None = Field(
        default=None, description="Our status before.", examples=["In Process"]
    )
    tracking: list[Tracking] | None = Field(
        default=None,
        description="Tracking of the order's packages, when known.",
        examples=[
            [{"tracking_number": "1Z999AA10123456784", "carrier": "UPS", "package_id": "1152921504606846976"}]
        ],
    )
    occurred_at: Timestamp = Field(description="When it happened.", examples=[_WHEN])
    details: Json = Field(
        default_factory=dict,
        description="Kind-specific details, e.g. refund amount or settlement figures (decimal strings).",
        examples=[{}, {"refund_amount": "19.99", "currency": "USD"}],
    )
