"""Events the auth service publishes about shops. They never carry tokens or secrets (R6)."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import Field, field_validator

from libs.common.events.base import EventData, IdentifierText, Name, Part, Text, Timestamp, shop_id_field
from libs.common.limits import MAX_INT8
from libs.common.limits import Identifier as ShopId

_TOPIC = "shops.changed"

ShopStatus = Literal["active", "needs_reauthorization", "disconnected"]
Identifier = Literal["UPC", "EAN", "GTIN", "ISBN"]
DEFAULT_IDENTIFIER_PRIORITY: list[Identifier] = ["UPC", "EAN", "GTIN", "ISBN"]


def _switch(default: bool, what: str) -> Any:
    state = "on" if default else "off"
    return Field(
        default=default, description=f"{what} ({state} by default).", examples=[default, not default]
    )


def _token_generation() -> Any:
    return Field(
        default=None,
        ge=0,
        le=MAX_INT8,
        description=(
            "Auth's counter of the shop's access tokens, raised on every connect, reconnect and refresh. "
            "A consumer holding a token of a lower generation drops it and asks auth again."
        ),
        examples=[3],
    )


class ShopSwitches(Part):
    """The per-shop switches of SELLER_RULES R5, as the auth service holds them."""

    allow_inventory_upload: bool = _switch(False, "Send inventory changes to TikTok")
    allow_price_upload: bool = _switch(False, "Send price changes to TikTok")
    allow_order_download: bool = _switch(False, "Download new orders")
    allow_tracking_upload: bool = _switch(False, "Upload tracking of shipped orders")
    query_shipping_change: bool = _switch(
        False, "Poll TikTok for tracking and shipping status (FBT, external)"
    )
    query_order_status_change: bool = _switch(False, "Import cancellations and status changes made on TikTok")
    send_brand_info: bool = _switch(True, "Send the brand when posting products")
    send_matrix_image: bool = _switch(False, "Give each variation child its own image")
    publish_on_hold_orders: bool = _switch(False, "Hand ON_HOLD orders to the WMS before the hold ends (R19)")
    auto_post: bool = _switch(False, "Post a product to TikTok as soon as it is ready (R38)")
    identifier_priority: list[Identifier] = Field(
        default_factory=lambda: list(DEFAULT_IDENTIFIER_PRIORITY),
        description="Product identifier types in order of preference; only the first one present is sent.",
        examples=[["UPC", "EAN", "GTIN", "ISBN"], ["GTIN", "EAN"]],
    )

    inventory_buffer: str = Field(
        default="0", pattern=r"^(\d{1,5}|(100|\d{1,2})%)$",
        description="R46 safety stock held back from TikTok: N units, or P% of what is available (rounded up); "
                    "\"0\" (the default) holds nothing back.",
        examples=["0", "5", "10%"],
    )
    out_of_stock_threshold: int = Field(
        default=0, ge=0, le=99_999,
        description="R46: at or below this many units available (after the buffer), TikTok is sent 0 (0: off).",
        examples=[0, 3],
    )

    @field_validator("identifier_priority")
    @classmethod
    def _no_duplicates(cls, value: list[Identifier]) -> list[Identifier]:
        if len(set(value)) != len(value):
            raise ValueError(f"identifier types must not repeat: {value}")
        return value


class ShopConnected(EventData):
    """A shop was connected (or reconnected) and its tokens work."""

    event_type: ClassVar[str] = "ShopConnected"
    topic: ClassVar[str] = _TOPIC
    key_field: ClassVar[str] = "shop_id"

    shop_id: ShopId = shop_id_field()
    shop_name: Name | None = Field(default=None, description="Shop name on TikTok.", examples=["Acme US"])
    shop_cipher: IdentifierText | None = Field(
        default=None,
        description="TikTok's shop cipher: an identifier (not a secret) required on shop-scoped API calls.",
        examples=["ROW_mC3JEwAAAACjIM6YNwNfN4k7zK9m8Q"],
    )
    region: Name | None = Field(default=None, description="Shop region.", examples=["US"])
    seller_name: Name | None = Field(
        default=None, description="Seller name from TikTok.", examples=["Acme Inc."]
    )
    seller_base_region: Name | None = Field(default=None, description="Seller base region.", examples=["US"])
    status: ShopStatus = Field(default="active", description="Connection status.", examples=["active"])
    token_generation: int | None = _token_generation()
    connected_at: Timestamp = Field(
        description="When the shop was connected.", examples=["2024-05-01T12:00:00Z"]
    )


class ShopSettingsChanged(ShopSwitches, EventData):
    """A shop's settings or status changed. Carries the full current state, not a diff.

    A failed token refresh publishes this with ``status="needs_reauthorization"`` and a reason (R3).
    """

    event_type: ClassVar[str] = "ShopSettingsChanged"
    topic: ClassVar[str] = _TOPIC
    key_field: ClassVar[str] = "shop_id"

    shop_id: ShopId = shop_id_field()
    status: ShopStatus = Field(
        default="active",
        description="active, needs_reauthorization (tokens no longer work) or disconnected.",
        examples=["active", "needs_reauthorization"],
    )
    reason: Text | None = Field(
        default=None,
        description="Why the status is not active, in words an operator can act on.",
        examples=[None, "refresh token expired: reconnect the shop with a new auth code"],
    )
    token_generation: int | None = _token_generation()
    changed_at: Timestamp = Field(description="When the change was made.", examples=["2024-05-01T12:00:00Z"])


class ShopDisconnected(EventData):
    """A shop was disconnected (by an operator, or the seller deauthorised the app)."""

    event_type: ClassVar[str] = "ShopDisconnected"
    topic: ClassVar[str] = _TOPIC
    key_field: ClassVar[str] = "shop_id"

    shop_id: ShopId = shop_id_field()
    reason: Text | None = Field(
        default=None, description="Why it was disconnected.", examples=["seller deauthorized the app"]
    )
    disconnected_at: Timestamp = Field(
        description="When it was disconnected.", examples=["2024-05-01T12:00:00Z"]
    )
