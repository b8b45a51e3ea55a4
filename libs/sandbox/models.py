"""In-memory entities the sandbox holds, shaped after TikTok's 202309 objects.

Plain dataclasses, no I/O. Serialisation to TikTok's wire shape lives in ``orders.py`` / routes.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Warehouse:
    id: str
    name: str
    is_default: bool
    type: str = "SALES_WAREHOUSE"
    sub_type: str = "DOMESTIC_WAREHOUSE"
    effect_status: str = "ENABLED"

    def to_wire(self, region: str) -> dict[str, object]:
        return {
            "id": self.id,
            "name": self.name,
            "type": self.type,
            "sub_type": self.sub_type,
            "effect_status": self.effect_status,
            "is_default": self.is_default,
            "address": {
                "region_code": region,
                "city": "Los Angeles",
                "state": "California",
                "postal_code": "90001",
                "full_address": "1 Sandbox Way, Los Angeles, CA 90001",
            },
        }


@dataclass
class Shop:
    id: str
    cipher: str
    name: str
    code: str
    region: str
    seller_id: str
    seller_type: str = "LOCAL"
    warehouses: list[Warehouse] = field(default_factory=list)
    #: event_type -> webhook address registered with PUT /event/202309/webhooks
    webhooks: dict[str, str] = field(default_factory=dict)
    #: products the shop may list per day (POST /sandbox/shops/{id}/listing-limit); None = settings.listing_limit_per_day
    listing_limit_per_day: int | None = None
    #: brand ids whose authorisation TikTok withdrew for this seller (POST /sandbox/shops/{id}/brands/{id}/authorization)
    withdrawn_brands: set[str] = field(default_factory=set)

    def to_wire(self) -> dict[str, object]:
        return {
            "id": self.id,
            "name": self.name,
            "region": self.region,
            "seller_type": self.seller_type,
            "cipher": self.cipher,
            "code": self.code,
        }


@dataclass
class Seller:
    id: str
    name: str
    region: str
    open_id: str
    tax_id: str | None
    shop_ids: list[str] = field(default_factory=list)


@dataclass
class Token:
    """An access or refresh token; ``kind`` is ``access`` or ``refresh``."""

    value: str
    kind: str
    seller_id: str
    expires_at: float
    revoked: bool = False


@dataclass
class AuthCode:
    value: str
    seller_id: str
    expires_at: float
    used: bool = False


@dataclass
class LineItem:
    id: str
    sku_id: str
    seller_sku: str
    product_id: str
    product_name: str
    sale_price: str
    currency: str
    display_status: str
    package_id: str = ""
    tracking_number: str = ""
    shipping_provider_name: str = ""
    shipping_provider_id: str = ""

    def to_wire(self) -> dict[str, object]:
        return {
            "id": self.id,
            "sku_id": self.sku_id,
            "seller_sku": self.seller_sku,
            "product_id": self.product_id,
            "product_name": self.product_name,
            "sale_price": self.sale_price,
            "original_price": self.sale_price,
            "currency": self.currency,
            "package_id": self.package_id,
            "display_status": self.display_status,
            "tracking_number": self.tracking_number,
            "shipping_provider_name": self.shipping_provider_name,
            "shipping_provider_id": self.shipping_provider_id,
        }


@dataclass
class Package:
    id: str
    order_id: str
    shop_id: str
    line_item_ids: list[str]
    tracking_number: str
    shipping_provider_id: str
    shipping_provider_name: str
    create_time: int
    shipped_by_tiktok: bool = False


@dataclass
class TrackingEvent:
    description: str
    update_time_millis: int


@dataclass
class Order:
    id: str
    shop_id: str
    status: str
    create_time: int
    update_time: int
    paid_time: int | None
    fulfillment_type: str
    payment_method_name: str
    currency: str
    sub_total: str
    shipping_fee: str
    tax: str
    total_amount: str
    recipient: dict[str, str]
    line_items: list[LineItem]
    is_replacement_order: bool = False
    replaced_order_id: str = ""
    is_on_hold_order: bool = False
    cancel_reason: str = ""
    cancellation_initiator: str = ""
    package_ids: list[str] = field(default_factory=list)
    tracking: list[TrackingEvent] = field(default_factory=list)
    #: the buyer's note to the seller (TikTok's ``buyer_message``), "" when none
    buyer_message: str = ""
    #: the buyer's ship-to address; ``recipient`` is empty while the order is ON_HOLD, as on TikTok
    buyer_address: dict[str, str] = field(default_factory=dict)
