"""Pure catalog rules for stock and price levels. No I/O.

DESIGN.md: an ``InventoryChanged`` (or ``PriceChanged``) older than the last one applied for the
same SKU (and shop, and warehouse) is ignored. Producers publish with ``occurred_at`` from their
own clock, and events may be redelivered or replayed from a DLQ long after newer ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal


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


def stale_reason(key: LevelKey, *, applied_at: datetime | None, incoming_at: datetime) -> str | None:
    """Why an incoming change must be ignored, or None to apply it.

    Only a strictly older change is ignored: one with the same ``occurred_at`` as the applied
    one is applied (the later-arriving of two simultaneous reports wins, deterministically per key
    partition).
    """
    if applied_at is None or incoming_at >= applied_at:
        return None
    return (
        f"{key.describe()}: change from {incoming_at.isoformat()} is older than the one already applied "
        f"({applied_at.isoformat()}); ignored"
    )
