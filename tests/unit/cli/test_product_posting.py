"""`ttshop catalog products update SKU --shop SHOP --partial|--full|--inventory|--price` (R38): one mode at
a time, what changed and which variations came and went, each SKU's stock or price upload, and TikTok's
refusal with its code and what to do."""

from __future__ import annotations

import json

import httpx

from .conftest import FakeApi, flat, invoke

EDITED = {"shop_id": "S1", "seller_sku": "TEE", "state": "posted", "product_id": "P1", "sku_ids": {"TEE-B": "K2"},
          "tiktok_status": "PENDING", "audit_failed_reasons": [], "errors": [], "mode": "partial",
          "fields": ["title", "skus"], "skus_added": ["TEE-G"], "skus_removed": ["TEE-R"]}


def test_a_partial_update_says_what_changed_and_which_variations_came_and_went() -> None:
    api = FakeApi(lambda r: httpx.Response(200, json=EDITED))
    result = invoke(["catalog", "products", "update", "TEE", "--shop", "S1", "--partial"], api)
    assert result.exit_code == 0, result.output
    [request] = api.requests
    assert (request.method, request.url.path) == ("POST", "/shops/S1/products/TEE/update")
    assert json.loads(request.content) == {"mode": "partial"}
    out = flat(result.stdout)
    assert "TEE updated on shop S1 (TikTok product P1, partial): title, skus; back in TikTok's review" in out
    assert "variations added: TEE-G" in out and "variations removed: TEE-R" in out


def test_exactly_one_mode_and_a_shop_are_required() -> None:
    api = FakeApi(lambda r: httpx.Response(200, json=EDITED))
    both = invoke(["catalog", "products", "update", "TEE", "--shop", "S1", "--partial", "--full"], api)
    assert both.exit_code != 0 and "exactly one of --partial, --full, --inventory, --price" in flat(both.output)
    none = invoke(["catalog", "products", "update", "TEE", "--partial"], api)
    assert none.exit_code != 0 and "--shop SHOP is required" in flat(none.output)
    assert api.requests == []


def test_a_stock_push_lists_each_sku_and_fails_when_one_did_not_go() -> None:
    body = {"shop_id": "S1", "seller_sku": "TEE", "product_id": "P1", "kind": "inventory", "queued": 2,
            "no_level": ["TEE-G"], "skus": [
                {"seller_sku": "TEE-B", "sku_id": "K2", "status": "uploaded", "quantity": 5, "amount": None,
                 "currency": None, "error": None},
                {"seller_sku": "TEE-R", "sku_id": "K1", "status": "failed", "quantity": 3, "amount": None,
                 "currency": None, "error": "TikTok refused the inventory update (12019005)"}]}
    api = FakeApi(lambda r: httpx.Response(200, json=body))
    result = invoke(["catalog", "products", "update", "TEE", "--shop", "S1", "--inventory"], api)
    assert result.exit_code == 1, result.output
    assert json.loads(api.requests[0].content) == {"mode": "inventory"}
    out = flat(result.stdout)
    assert "TEE-B K2 uploaded 5" in out and "TEE-R K1 failed 3" in out and "12019005" in out
    assert "No inventory is known for TEE-G" in out


def test_a_refused_edit_shows_tiktoks_code_and_what_to_do() -> None:
    body = {**EDITED, "fields": [], "refused": True, "errors": [
        {"code": "12052201", "message": "brand not authorised", "fix": "authorise it in Seller Center"}]}
    api = FakeApi(lambda r: httpx.Response(200, json=body))
    result = invoke(["catalog", "products", "update", "TEE", "--shop", "S1", "--full"], api)
    assert result.exit_code == 1, result.output
    out = flat(result.stdout)
    assert "TikTok refused the update of TEE on shop S1; the product on TikTok is unchanged" in out
    assert "12052201" in out and "authorise it in Seller Center" in out
