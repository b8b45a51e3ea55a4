"""R40 inventory and price sync, the pure part: stored levels and which change wins, whether a shop may
receive an upload now and what to tell the operator when not, retry delays, and where the quantity goes.
No I/O.

DESIGN.md: an ``InventoryChanged`` (or ``PriceChanged``) older than the last one applied for the
same SKU (and shop, and warehouse) is ignored. Producers publish with ``occurred_at`` from their
own clock, and events may be redelivered or replayed from a DLQ long after newer ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, TypeVar

from services.catalog.shops.domain import ShopGate


@dataclass(frozen=True)
class LevelKey:
    """What one stored level is about. ``None`` shop = every shop; ``None`` warehouse = default."""

    seller_sku: str
    shop_id: str | None = None
    warehouse_id: str | None = None

    def describe(self) -> str:
        shop = self.shop_id or "every shop"
        warehouse = self.warehouse_id or "default warehouse"
        return f"SKU {self.seller_sku} ({shop}, {warehouse})"


@dataclass(frozen=True)
class InventoryLevel:
    key: LevelKey
    available: int
    occurred_at: datetime
    event_id: str
    updated_at: datetime | None = None


@dataclass(frozen=True)
class PriceLevel:
    key: LevelKey  # warehouse_id is always None for prices
    amount: Decimal
    currency: str
    occurred_at: datetime
    event_id: str
    updated_at: datetime | None = None


_Level = TypeVar("_Level", "InventoryLevel", "PriceLevel")


def latest_per_key(levels: Sequence[_Level]) -> list[_Level]:
    """The newest level per key (of equal times the later one wins), sorted by key so that concurrent
    transactions lock rows in the same order (no deadlock between replicas)."""
    latest: dict[LevelKey, _Level] = {}
    for level in levels:
        if level.key not in latest or level.occurred_at >= latest[level.key].occurred_at:
            latest[level.key] = level
    return sorted(latest.values(), key=lambda lv: (lv.key.seller_sku, lv.key.shop_id or "", lv.key.warehouse_id or ""))


ACTIVE_LISTING = "ACTIVATE"  # TikTok's spelling of an active (enabled) listing


class Kind(StrEnum):
    INVENTORY = "inventory"
    PRICE = "price"


class UploadStatus(StrEnum):
    PENDING = "pending"  # waiting to be sent (or to be retried)
    UPLOADED = "uploaded"  # TikTok holds the latest value
    FAILED = "failed"  # TikTok refused it, or it cannot be sent (no default warehouse, gave up)
    SKIPPED = "skipped"  # not allowed: switch off, shop not active, listing not active


NO_DEFAULT_WAREHOUSE = "no_default_warehouse"


def skip_reason(kind: Kind, shop: ShopGate, listing_status: str) -> str | None:
    """Why nothing may be sent to this shop now (shown on the upload status), or None to send."""
    if not shop.known:
        return f"shop {shop.shop_id} is not connected (no ShopConnected/ShopSettingsChanged received)"
    if shop.status != "active":
        why = f": {shop.status_reason}" if shop.status_reason else ""
        return f"shop {shop.shop_id} is {shop.status}{why}; nothing is sent until it is active again"
    if kind == Kind.INVENTORY and not shop.allow_inventory_upload:
        return (f"inventory upload is off for shop {shop.shop_id} (allow_inventory_upload); "
                "turn it on with `ttshop shops settings` to send the latest level")
    if kind == Kind.PRICE and not shop.allow_price_upload:
        return (f"price upload is off for shop {shop.shop_id} (allow_price_upload); "
                "turn it on with `ttshop shops settings` to send the latest price")
    if listing_status != ACTIVE_LISTING:
        return f"the TikTok listing is {listing_status}, not active; nothing is sent to a disabled product"
    return None


def no_default_warehouse_message(shop_id: str) -> str:
    return (f"shop {shop_id} has no default warehouse on TikTok, so inventory cannot be sent (R40); "
            "set a default warehouse in TikTok Seller Center; the next inventory change is sent to it")


def pick_default_warehouse(warehouses: list[dict[str, Any]]) -> str | None:
    """The warehouse TikTok marks ``is_default`` (an enabled sales warehouse); None if there is none.

    R40 needs a *default* warehouse: guessing another one could put stock where the seller does not sell from.
    """
    for w in warehouses:
        if (w.get("is_default") and w.get("type", "SALES_WAREHOUSE") == "SALES_WAREHOUSE"
                and w.get("effect_status", "ENABLED") == "ENABLED"):
            return str(w["id"])
    return None
