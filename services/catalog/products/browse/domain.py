"""The product list (``GET /products``), the pure part: which states a list can be filtered by, and the
image a row shows. No I/O."""

from __future__ import annotations

from typing import Any, Literal

from libs.common.refusals import Invalid

#: ``state=``: per shop, at the product's last readiness check and from what TikTok holds of it (the
#: meaning of each: ``browse.api.list_products``; the predicate of each: ``browse.repo``).
State = Literal["unchecked", "ready", "not_ready", "unposted", "posting", "failed", "posted", "in_review", "live",
                "rejected"]
#: ``order=``: by seller SKU, or the newest record first.
Order = Literal["sku", "newest"]


def check_filter(shop_id: str | None, state: str | None) -> None:
    if state is not None and shop_id is None:
        raise Invalid("invalid_request", f"state={state} is a state on one shop: give shop as well")


def first_image(main_image: Any, first_of_images: Any) -> dict[str, Any] | None:
    """The image a row shows: the main image, else the gallery's first ({source, sha256}; sha256 is the key of
    ``GET /media/{sha256}``, None until the file is stored)."""
    for ref in (main_image, first_of_images):
        if isinstance(ref, dict) and ref.get("source"):
            return {"source": ref["source"], "sha256": ref.get("sha256")}
    return None
