"""R41 product import against the sandbox: active listings downloaded page by page, matched to our
SKUs by merchant SKU and by TikTok product id, variation parents by product id only, linked as a matrix."""

from __future__ import annotations

import pytest

from tests.integration.catalog.conftest import Harness
from tests.support.stack import sandbox

pytestmark = pytest.mark.integration


async def put_product(h: Harness, sku: str, **body: object) -> dict[str, object]:
    r = await h.http.put(f"{h.url}/products/{sku}", json=body)
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


async def search_calls(h: Harness, shop_id: str) -> int:
    counts = await sandbox(h.http, "GET", f"{h.sandbox_url}/sandbox/requests",
                           params={"path": "/product/202309/products/search", "shop_id": shop_id})
    return int(counts["total"])


async def test_import_matches_by_seller_sku_and_product_id_and_links_the_matrix(harness: Harness, unique: str) -> None:
    """R41: SKUs by merchant SKU, a single listing by product id, the variation parent by product id only;
    inactive listings are not imported; counts are reported."""
    h = harness
    shop = await h.new_shop()
    single = await h.listing(shop, "Mug", [(f"MUG-{unique}", "9.99", 3)])
    tee = await h.listing(shop, "Tee", [(f"TEE-{unique}-M", "19.99", 1), (f"TEE-{unique}-L", "19.99", 2)])
    renamed = await h.listing(shop, "Cap", [(f"CAP-ON-TIKTOK-{unique}", "5.00", 1)])
    await h.listing(shop, "Unknown", [(f"ZZZ-{unique}", "1.00", 1)])
    for i in range(3):  # 7 active listings in all: 4 pages at the tests' import_page_size=2
        await h.listing(shop, f"Other {i}", [(f"OTHER-{unique}-{i}", "1.00", 1)])
    draft = await sandbox(h.http, "POST", f"{h.sandbox_url}/sandbox/shops/{shop}/products",
                          json={"title": "Draft", "status": "DRAFT", "skus": [{"seller_sku": f"MUG-{unique}",
                                                                                "price": "1.00"}]})

    for sku in (f"MUG-{unique}", f"TEE-{unique}-M", f"TEE-{unique}-L"):
        await put_product(h, sku)
    await put_product(h, f"TEE-{unique}", title="Tee", tiktok_product_ids={shop: tee["product_id"]})
    await put_product(h, f"CAP-{unique}", tiktok_product_ids={shop: renamed["product_id"]})

    before = await search_calls(h, shop)
    counts = await h.import_products(shop)
    assert await search_calls(h, shop) - before == 4  # 7 active listings, 2 per page (settings.import_page_size)
    assert {k: counts[k] for k in ("listings", "skus", "matched", "unmatched", "parents", "parents_matched")} == {
        "listings": 7, "skus": 8, "matched": 4, "unmatched": 4, "parents": 1, "parents_matched": 1,
    }
    assert f"ZZZ-{unique}" in counts["unmatched_skus"]

    mug = (await h.http.get(f"{h.url}/products/MUG-{unique}")).json()
    assert [(x["product_id"], x["matched_by"]) for x in mug["listings"]] == [(single["product_id"], "seller_sku")]
    assert all(x["product_id"] != draft["product_id"] for x in mug["listings"])  # the DRAFT one is not imported

    cap = (await h.http.get(f"{h.url}/products/CAP-{unique}")).json()
    [cap_listing] = cap["listings"]
    assert cap_listing["matched_by"] == "product_id" and cap_listing["seller_sku"] == f"CAP-ON-TIKTOK-{unique}"

    parent = (await h.http.get(f"{h.url}/products/TEE-{unique}")).json()
    [parent_listing] = parent["listings"]
    assert parent_listing["sku_id"] is None and parent_listing["matched_by"] == "product_id"
    child = (await h.http.get(f"{h.url}/products/TEE-{unique}-M")).json()
    assert child["parent_sku"] == f"TEE-{unique}"
    [child_listing] = child["listings"]
    assert child_listing["parent_product_id"] == tee["product_id"] and child_listing["matched_by"] == "seller_sku"
    assert child_listing["sku_id"] == tee["skus"][0]["id"]


async def test_variation_parent_is_not_matched_by_a_childs_seller_sku(harness: Harness, unique: str) -> None:
    """R41: a matrix parent has no merchant SKU on TikTok; without a product-id link it stays unmatched
    even when its children match."""
    h = harness
    shop = await h.new_shop()
    await h.listing(shop, "Sock", [(f"SOCK-{unique}-S", "3.00", 1), (f"SOCK-{unique}-M", "3.00", 1)])
    await put_product(h, f"SOCK-{unique}-S")
    await put_product(h, f"SOCK-{unique}")  # the parent exists on our side but is not linked to the product id
    counts = await h.import_products(shop)
    assert (counts["parents"], counts["parents_matched"], counts["matched"]) == (1, 0, 1)
    child = (await h.http.get(f"{h.url}/products/SOCK-{unique}-S")).json()
    assert child["parent_sku"] is None  # no matrix link without a matched parent


async def test_import_of_an_unknown_shop_is_a_clear_error(harness: Harness) -> None:
    r = await harness.http.post(f"{harness.url}/shops/7400000000000000000/import")
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "shop_not_authorized" and "7400000000000000000" in r.text
