"""The catalog's view of a shop (projection of ``shops.changed``): whether it may receive uploads. No I/O."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ShopGate:
    shop_id: str
    known: bool
    status: str
    status_reason: str | None
    allow_inventory_upload: bool
    allow_price_upload: bool
