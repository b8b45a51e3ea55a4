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
    inventory_buffer: str = "0"  # R46: "N" units or "P%"
    out_of_stock_threshold: int = 0


def quantity_to_send(available: int, *, buffer: str, threshold: int) -> int:
    """R46: what TikTok is told a SKU has: ``available`` less the safety stock (N units, or P% of it rounded
    up so the buffer never rounds down to nothing), and 0 at or below the out-of-stock threshold."""
    if buffer.endswith("%"):
        held = -(-available * int(buffer[:-1]) // 100)  # ceiling
    else:
        held = int(buffer or "0")
    left = max(0, available - held)
    return 0 if left <= threshold else left
