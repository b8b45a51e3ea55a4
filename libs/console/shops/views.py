"""What the shops pages show, from the auth service's answers: status in the CLI's plain words (R3),
token expiry, the switches (R5) as toggles and the audit trail."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import typer

from libs.cli.shop_status import audit_rows, plain_status, token_expiry
from libs.cli.validation import identifier_priority, inventory_buffer

#: The on/off switches of a shop (R5), as the CLI names them, with what each does.
SWITCHES: tuple[tuple[str, str], ...] = (
    ("allow_order_download", "download orders"),
    ("allow_tracking_upload", "upload tracking"),
    ("allow_inventory_upload", "upload inventory"),
    ("allow_price_upload", "upload prices"),
    ("query_shipping_change", "query shipping changes"),
    ("query_order_status_change", "query order status changes"),
    ("publish_on_hold_orders", "publish on-hold orders"),
    ("auto_post", "post ready products"),
    ("send_brand_info", "send brand"),
    ("send_matrix_image", "send matrix image"),
)


@dataclass(frozen=True)
class Switch:
    name: str
    label: str
    on: bool


@dataclass(frozen=True)
class ShopRow:
    shop_id: str
    name: str
    region: str
    status: str
    healthy: bool
    token_expires: str
    switches: list[Switch]
    identifier_priority: str
    inventory_buffer: str
    out_of_stock_threshold: int


def shop_row(shop: dict[str, Any]) -> ShopRow:
    settings = shop.get("settings") or {}
    return ShopRow(
        shop_id=str(shop.get("shop_id", "")), name=str(shop.get("name") or ""), region=str(shop.get("region") or ""),
        status=plain_status(shop), healthy=shop.get("status") == "active" and not shop.get("warning"),
        token_expires=token_expiry(shop) or "no token",
        switches=[Switch(key, label, bool(settings.get(key))) for key, label in SWITCHES],
        identifier_priority=",".join(settings.get("identifier_priority") or []),
        inventory_buffer=str(settings.get("inventory_buffer", "0")),
        out_of_stock_threshold=int(settings.get("out_of_stock_threshold") or 0),
    )


def shop_rows(body: Any) -> list[ShopRow]:
    shops = body.get("shops", []) if isinstance(body, dict) else body or []
    return [shop_row(s) for s in shops]


def audit(shop: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    return list(audit_rows(shop.get("audit") or []))


def switch_change(name: str, value: str) -> dict[str, Any]:
    """The settings PATCH of one toggle; ValueError for a switch or value the console does not know."""
    if name not in dict(SWITCHES):
        raise ValueError(f"no switch {name!r}")
    if value not in ("on", "off"):
        raise ValueError(f"a switch is on or off, not {value!r}")
    return {name: value == "on"}


def settings_change(buffer: str, threshold: str, identifiers: str) -> dict[str, Any]:
    """The settings PATCH of the shop page's form, with the CLI's checks (``N`` or ``P%``; a whole number;
    UPC,EAN,GTIN,ISBN in some order); ValueError says what was wrong."""
    change: dict[str, Any] = {}
    try:
        if buffer.strip():
            change["inventory_buffer"] = inventory_buffer(buffer)
        if identifiers.strip():
            change["identifier_priority"] = identifier_priority(identifiers)
    except typer.BadParameter as exc:
        raise ValueError(exc.message) from None
    if threshold.strip():
        if not threshold.strip().isdigit() or int(threshold) > 99_999:
            raise ValueError(f"out-of-stock threshold {threshold!r}: give a whole number of units from 0 to 99999")
        change["out_of_stock_threshold"] = int(threshold)
    if not change:
        raise ValueError("nothing to change: fill in a field")
    return change
