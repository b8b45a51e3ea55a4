"""R40 rules: when an upload may go out, what the operator is told otherwise, the default warehouse
and the retry delays."""

from __future__ import annotations

from services.catalog.shops.domain import ShopGate
from services.catalog.sync.domain import Kind, pick_default_warehouse, skip_reason

ON = ShopGate("S1", True, "active", None, True, True)


def test_allowed_active_shop_and_active_listing_sends() -> None:
    assert skip_reason(Kind.INVENTORY, ON, "ACTIVATE") is None
    assert skip_reason(Kind.PRICE, ON, "ACTIVATE") is None


def test_each_switch_gates_only_its_kind_and_is_named() -> None:
    no_inventory = ShopGate("S1", True, "active", None, False, True)
    reason = skip_reason(Kind.INVENTORY, no_inventory, "ACTIVATE")
    assert reason is not None and "allow_inventory_upload" in reason and "S1" in reason
    assert skip_reason(Kind.PRICE, no_inventory, "ACTIVATE") is None
    no_price = ShopGate("S1", True, "active", None, True, False)
    assert "allow_price_upload" in (skip_reason(Kind.PRICE, no_price, "ACTIVATE") or "")


def test_inactive_shop_unknown_shop_and_disabled_listing_are_explained() -> None:
    reauth = ShopGate("S1", True, "needs_reauthorization", "refresh token expired", True, True)
    assert "needs_reauthorization: refresh token expired" in (skip_reason(Kind.INVENTORY, reauth, "ACTIVATE") or "")
    unknown = ShopGate("S9", False, "unknown", None, False, False)
    assert "not connected" in (skip_reason(Kind.INVENTORY, unknown, "ACTIVATE") or "")
    assert "SELLER_DEACTIVATED" in (skip_reason(Kind.INVENTORY, ON, "SELLER_DEACTIVATED") or "")


def test_only_a_default_enabled_sales_warehouse_counts() -> None:
    assert pick_default_warehouse([{"id": "1", "is_default": False}, {"id": "2", "is_default": True}]) == "2"
    assert pick_default_warehouse([{"id": "1", "is_default": False}]) is None
    assert pick_default_warehouse([{"id": "1", "is_default": True, "effect_status": "DISABLED"}]) is None
    assert pick_default_warehouse([{"id": "1", "is_default": True, "type": "RETURN_WAREHOUSE"}]) is None
