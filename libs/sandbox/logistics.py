"""Delivery options and shipping providers the sandbox offers, with stable ids.

``shipping_provider_id`` in mark-shipped must be one of :data:`SHIPPING_PROVIDERS`.
"""

from __future__ import annotations

STANDARD_DELIVERY_OPTION_ID = "7091146663942702891"

DELIVERY_OPTIONS: dict[str, dict[str, object]] = {
    STANDARD_DELIVERY_OPTION_ID: {
        "id": STANDARD_DELIVERY_OPTION_ID,
        "name": "Standard Shipping",
        "type": "STANDARD",
        "description": "Ships within 3 business days",
        "platform": ["TIKTOK_SHOP"],
    },
}

#: provider id -> name (stable across runs: clients may store them)
SHIPPING_PROVIDERS: dict[str, str] = {
    "6617675021119438849": "USPS",
    "6617673947063470082": "UPS",
    "6617674262353659906": "FedEx",
    "6617674618215335938": "DHL",
}

#: What TikTok ships FBT orders (and orders shipped outside the seller's packages) with.
TIKTOK_PROVIDER_ID = "7117858858072016686"
TIKTOK_PROVIDER_NAME = "TikTok Shipping"


def providers_for(delivery_option_id: str) -> list[dict[str, str]] | None:
    """Providers of a delivery option, or ``None`` if the option does not exist."""
    if delivery_option_id not in DELIVERY_OPTIONS:
        return None
    return [{"id": pid, "name": name} for pid, name in SHIPPING_PROVIDERS.items()]
