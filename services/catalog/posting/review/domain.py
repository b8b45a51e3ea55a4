"""TikTok's review of a posted product (R43): what a PRODUCT_STATUS_CHANGE notification is, and TikTok's
reasons as we keep them."""

from __future__ import annotations

from typing import Any

PRODUCT_STATUS_CHANGE = 5


def reasons_of(product: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"position": r.get("position"), "reasons": list(r.get("reasons") or []),
             "suggestions": list(r.get("suggestions") or [])} for r in product.get("audit_failed_reasons") or []]
