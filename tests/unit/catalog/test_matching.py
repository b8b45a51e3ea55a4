"""R41 matching rules: merchant SKU, product id, variation parents by product id only, matrix links."""

from __future__ import annotations

from services.catalog.importing.domain import (
    BY_PRODUCT_ID,
    BY_SELLER_SKU,
    RemoteProduct,
    RemoteSku,
    match_listings,
    matrix_links,
)

TEE = RemoteProduct("P-TEE", "Tee", "ACTIVATE", (RemoteSku("K-M", "TEE-M"), RemoteSku("K-L", "TEE-L")))
MUG = RemoteProduct("P-MUG", "Mug", "ACTIVATE", (RemoteSku("K-MUG", "MUG"),))
CAP = RemoteProduct("P-CAP", "Cap", "ACTIVATE", (RemoteSku("K-CAP", "CAP-RENAMED"),))


def test_skus_match_by_seller_sku_and_a_single_listing_by_product_id() -> None:
    rows, counts = match_listings([MUG, CAP], our_skus={"MUG", "CAP"}, linked={"P-CAP": "CAP"})
    by_product = {r.product_id: r for r in rows}
    assert (by_product["P-MUG"].our_sku, by_product["P-MUG"].matched_by) == ("MUG", BY_SELLER_SKU)
    assert (by_product["P-CAP"].our_sku, by_product["P-CAP"].matched_by) == ("CAP", BY_PRODUCT_ID)
    assert (counts.listings, counts.skus, counts.matched, counts.unmatched) == (2, 2, 2, 0)


def test_seller_sku_wins_over_product_id() -> None:
    rows, _ = match_listings([MUG], our_skus={"MUG"}, linked={"P-MUG": "OTHER"})
    assert rows[0].our_sku == "MUG" and rows[0].matched_by == BY_SELLER_SKU


def test_variation_parent_matched_by_product_id_only_and_children_linked() -> None:
    rows, counts = match_listings([TEE], our_skus={"TEE-M", "TEE-L", "TEE"}, linked={"P-TEE": "TEE"})
    parent = next(r for r in rows if r.is_parent)
    assert (parent.our_sku, parent.matched_by, parent.seller_sku) == ("TEE", BY_PRODUCT_ID, None)
    children = [r for r in rows if not r.is_parent]
    assert {r.parent_product_id for r in children} == {"P-TEE"}
    assert (counts.parents, counts.parents_matched, counts.matched) == (1, 1, 2)
    assert matrix_links(rows) == {"TEE-M": "TEE", "TEE-L": "TEE"}


def test_unlinked_parent_stays_unmatched_and_children_are_not_matched_by_product_id() -> None:
    rows, counts = match_listings([TEE], our_skus={"TEE"}, linked={})
    assert all(r.our_sku is None for r in rows)
    assert (counts.parents_matched, counts.matched, counts.unmatched) == (0, 0, 2)
    assert counts.unmatched_skus == ["TEE-M", "TEE-L"]
    assert matrix_links(rows) == {}
    rows, _ = match_listings([TEE], our_skus=set(), linked={"P-TEE": "TEE"})
    assert [r.our_sku for r in rows if not r.is_parent] == [None, None]  # the product id names the parent


def test_from_wire_reads_the_search_shape() -> None:
    product = RemoteProduct.from_wire({"id": "1", "title": "T", "status": "ACTIVATE",
                                       "skus": [{"id": "2", "seller_sku": "A"}]})
    assert product == RemoteProduct("1", "T", "ACTIVATE", (RemoteSku("2", "A"),))
