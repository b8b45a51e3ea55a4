"""Events the catalog service publishes about products and their TikTok listings."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import Field

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
    seller_sku_field,
    shop_id_field,
)

_LISTING_TOPIC = "catalog.listing-changed"


def _parent_sku() -> Any:
    return Field(
        default=None,
        description="The matrix parent's SKU when this SKU is a variation child; absent otherwise.",
        examples=["TSHIRT", None],
    )


def _product_id(default: Any = ...) -> Any:
    return Field(
        default=default, description="TikTok product id of the listing.", examples=["1729592969712207000"]
    )


class ProductReady(EventData):
    """A product has everything a TikTok listing needs (R32) and can be posted."""

    event_type: ClassVar[str] = "ProductReady"
    topic: ClassVar[str] = "catalog.product-ready"
    key_field: ClassVar[str] = "seller_sku"

    shop_id: Identifier = shop_id_field()
    seller_sku: Sku = seller_sku_field()
    parent_sku: Sku | None = _parent_sku()
    ready_at: Timestamp = Field(
        description="When the product became ready.", examples=["2024-05-01T12:00:00Z"]
    )


class ListingPosted(EventData):
    """A product was posted to TikTok and now has a listing there."""

    event_type: ClassVar[str] = "ListingPosted"
    topic: ClassVar[str] = _LISTING_TOPIC
    key_field: ClassVar[str] = "seller_sku"

    shop_id: Identifier = shop_id_field()
    seller_sku: Sku = seller_sku_field()
    parent_sku: Sku | None = _parent_sku()
    product_id: Identifier = _product_id()
    sku_id: IdentifierText | None = Field(
        default=None,
        description="TikTok SKU id of this seller SKU (absent for a matrix parent, which has none).",
        examples=["1729592969712207001", None],
    )
    child_skus: list[Sku] = Field(
        default_factory=list,
        description="For a matrix parent: the seller SKUs of the variations posted with it.",
        examples=[[], ["TSHIRT-RED-M", "TSHIRT-RED-L"]],
    )
    posted_at: Timestamp = Field(
        description="When TikTok accepted the listing.", examples=["2024-05-01T12:00:00Z"]
    )


class ListingError(Part):
    """One reason a listing was refused; every reason is reported, not just the first."""

    code: Name = Field(
        description="Machine-readable code: TikTok's error code, or ours for local checks.",
        examples=["12052023", "missing_main_image"],
    )
    message: Text = Field(
        description="What is wrong and what to do about it.", examples=["category does not exist"]
    )
    field: Text | None = Field(
        default=None, description="The product field concerned, when known.", examples=["category_id", None]
    )
    fix: Text | None = Field(
        default=None, description="What the seller can do about it.",
        examples=["pick a leaf category (`ttshop catalog categories list SHOP --leaf`)", None],
    )


class ListingFailed(EventData):
    """Posting or updating a listing failed; ``errors`` lists every reason."""

    event_type: ClassVar[str] = "ListingFailed"
    topic: ClassVar[str] = _LISTING_TOPIC
    key_field: ClassVar[str] = "seller_sku"

    shop_id: Identifier = shop_id_field()
    seller_sku: Sku = seller_sku_field()
    parent_sku: Sku | None = _parent_sku()
    product_id: IdentifierText | None = _product_id(default=None)
    operation: NonEmptyName = Field(
        description="What was attempted: post, inventory, price or partial (update).",
        examples=["post", "inventory", "price", "partial"],
    )
    errors: list[ListingError] = Field(
        min_length=1,
        description="Every reason the operation failed.",
        examples=[[{"code": "12052023", "message": "category does not exist", "field": "category_id"}]],
    )
    failed_at: Timestamp = Field(description="When the failure happened.", examples=["2024-05-01T12:00:00Z"])


class ListingUpdated(EventData):
    """An existing listing was updated on TikTok (inventory, price or a partial edit)."""

    event_type: ClassVar[str] = "ListingUpdated"
    topic: ClassVar[str] = _LISTING_TOPIC
    key_field: ClassVar[str] = "seller_sku"

    shop_id: Identifier = shop_id_field()
    seller_sku: Sku = seller_sku_field()
    parent_sku: Sku | None = _parent_sku()
    product_id: Identifier = _product_id()
    sku_id: IdentifierText | None = Field(
        default=None, description="TikTok SKU id of this seller SKU.", examples=["1729592969712207001", None]
    )
    fields: list[Name] = Field(
        min_length=1,
        description="What changed on TikTok: inventory, price, or the partially edited product fields.",
        examples=[["inventory"], ["price"], ["title", "category_id"]],
    )
    inventory: int | None = Field(
        default=None,
        ge=0,
        description="The quantity now on TikTok, when inventory changed.",
        examples=[42, None],
    )
    price: NonNegativeMoney | None = Field(
        default=None, description="The price now on TikTok, when the price changed.", examples=[None, "19.99"]
    )
    currency: Currency | None = Field(
        default=None, description="Currency of `price`.", examples=[None, "USD"]
    )
    status: Name | None = Field(
        default=None,
        description="TikTok's listing status when it changed (R43): PENDING (in review), ACTIVATE, FAILED, "
        "SELLER_DEACTIVATED, PLATFORM_DEACTIVATED, FREEZE, DELETED.",
        examples=[None, "ACTIVATE", "FAILED"],
    )
    audit_failed_reasons: list[Json] = Field(
        default_factory=list,
        description="With FAILED: TikTok's reasons per field (position, reasons, suggestions).",
        examples=[[], [{"position": "title", "reasons": ["contains a prohibited word"], "suggestions": ["remove it"]}]],
    )
    updated_at: Timestamp = Field(
        description="When TikTok accepted the update.", examples=["2024-05-01T12:00:00Z"]
    )
