"""`ttshop catalog products import SHOP` (R41) and `ttshop catalog inventory show SKU` (R40)."""

from __future__ import annotations

import httpx

from .conftest import FakeApi, flat, invoke


def test_products_import_posts_to_the_shop_and_reports_counts() -> None:
    body = {"shop_id": "S1", "listings": 3, "skus": 5, "matched": 4, "unmatched": 1, "parents": 1,
            "parents_matched": 1, "unmatched_skus": ["ZZZ-1"]}
    api = FakeApi(lambda r: httpx.Response(200, json=body))
    result = invoke(["catalog", "products", "import", "S1"], api)
    assert result.exit_code == 0, result.output
    assert [(r.method, r.url.path) for r in api.requests] == [("POST", "/shops/S1/import")]
    out = flat(result.stdout)
    assert "Imported 3 listing(s) with 5 SKU(s) from shop S1: 4 matched, 1 unmatched" in out
    assert "1 of 1 variation parent(s) matched by product id" in out and "ZZZ-1" in out


def test_inventory_show_lists_each_shop_with_status_and_error() -> None:
    body = {"seller_sku": "RED", "levels": [], "shops": [
        {"shop_id": "S1", "product_id": "P1", "sku_id": "K1", "our_level": 7, "sent": 7,
         "upload_status": "uploaded", "sent_at": "2024-05-01T12:00:01+00:00", "error": None},
        {"shop_id": "S2", "product_id": "P2", "sku_id": "K2", "our_level": 7, "sent": None,
         "upload_status": "failed", "sent_at": None, "error": "shop S2 has no default warehouse on TikTok"},
    ]}
    api = FakeApi(lambda r: httpx.Response(200, json=body))
    result = invoke(["catalog", "inventory", "show", "RED"], api)
    assert result.exit_code == 0, result.output
    assert api.requests[0].url.path == "/inventory/RED"
    out = flat(result.stdout)
    assert "S1 P1 K1 7 none 7 uploaded" in out
    assert "S2 P2 K2 7 none failed" in out and "no default warehouse" in out


def test_inventory_show_of_an_unknown_sku_is_an_error() -> None:
    api = FakeApi(lambda r: httpx.Response(404, json={"error": {"code": "inventory_not_found", "message": "no SKU"}}))
    result = invoke(["catalog", "inventory", "show", "NOPE"], api)
    assert result.exit_code == 1 and "no SKU (inventory_not_found)" in flat(result.stderr)


def test_sync_status_shows_the_lag_the_calls_against_the_limit_and_failures() -> None:
    body = {"shops": [{"shop_id": "S1", "kind": "inventory", "waiting": 12, "lag_s": 3.4, "calls_last_minute": 2950,
                       "limit_per_minute": 3000, "last_success_at": "2026-12-02T04:00:00+00:00", "failed": 1,
                       "skipped": 0, "failures": [{"code": "17019", "skus": 1, "example": "warehouse 9 unknown"}]}]}
    api = FakeApi(lambda r: httpx.Response(200, json=body))
    result = invoke(["catalog", "sync", "status", "--shop", "S1"], api)
    assert result.exit_code == 0, result.output
    assert api.requests[0].url.path == "/sync/status" and api.requests[0].url.params["shop"] == "S1"
    out = flat(result.stdout)
    assert "S1 inventory 12 3.4 s 2950 (3000)" in out
    assert "S1 inventory: 1 SKU(s) failed with 17019: warehouse 9 unknown" in out
