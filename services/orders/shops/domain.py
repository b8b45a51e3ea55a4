"""The orders service's view of a shop (projection of ``shops.changed``) and the one gate "may orders be
downloaded for this shop now". Pure."""

from __future__ import annotations

from dataclasses import dataclass

from libs.common.refusals import Conflict

ACTIVE = "active"
DISCONNECTED = "disconnected"


@dataclass(frozen=True)
class Shop:
    shop_id: str
    allow_order_download: bool
    query_order_status_change: bool
    publish_on_hold_orders: bool
    status: str

    @property
    def authorised(self) -> bool:
        """TikTok may be called for the shop now (its token is good)."""
        return self.status == ACTIVE

    @property
    def downloads_orders(self) -> bool:
        return download_refusal(self, self.shop_id) is None

    @property
    def awaiting_authorization(self) -> bool:
        """Orders would be downloaded but the shop is not authorised now; it may be again (not disconnected)."""
        return self.allow_order_download and self.status not in (ACTIVE, DISCONNECTED)


def authorisation_refusal(shop: Shop | None, shop_id: str, *, of: str = "") -> Conflict | None:
    """Why TikTok may not be called for this shop now (None: it may). ``of`` names what is asked about."""
    if shop is not None and shop.authorised:
        return None
    state = shop.status if shop is not None else "unknown"
    return Conflict("shop_not_active", f"shop {shop_id}{of} is {state}; reconnect it first")


def download_refusal(shop: Shop | None, shop_id: str) -> Conflict | None:
    """Why orders may not be downloaded for this shop now (an operator's download, the poll, a webhook, the
    settlement import), saying what to do; None when they may."""
    if shop is None:
        return Conflict("shop_unknown", f"shop {shop_id} is not connected (no ShopConnected event seen)")
    if not shop.allow_order_download:
        return Conflict(
            "order_download_off",
            f"order download is off for shop {shop_id}; turn on allow_order_download in the shop settings",
        )
    return authorisation_refusal(shop, shop_id)


def require_downloads(shop: Shop | None, shop_id: str) -> Shop:
    """The shop, when orders may be downloaded for it now; else the refusal saying why."""
    refused = download_refusal(shop, shop_id)
    if refused is not None:
        raise refused
    assert shop is not None
    return shop
