"""The product page's data (images, record, variations, every shop, history) and what the console says after
check, post, update and a category pick, in the CLI's words."""

from __future__ import annotations

from libs.console.listings import product, wording
from libs.console.listings.views import posting

SHA = "ab" * 32
BODY = {
    "seller_sku": "TEE", "title": "Tee", "parent_sku": None, "version": 5,
    "record": {"seller_sku": "TEE", "price": "19.90", "currency": "USD", "enabled": True, "category_id": "601",
               "shop_categories": {"7002": "909"}, "weight": "0.25", "weight_unit": "KILOGRAM", "length": "30",
               "width": "20", "height": "3", "dimension_unit": "CENTIMETER", "identifiers": {"UPC": "012345678905"},
               "attributes": {"Material": ["Cotton"]}, "main_image": {"source": "img/front.jpg", "sha256": SHA},
               "images": [{"source": "img/back.jpg", "sha256": None}, {"source": "https://x/side.jpg", "sha256": SHA}]},
    "listings": [{"shop_id": "7001", "product_id": "17", "sku_id": None, "seller_sku": "TEE", "title": "Tee",
                  "status": "ACTIVATE", "matched_by": "product_id", "imported_at": "2026-12-01T09:00:00+00:00"}],
    "readiness": [{"shop_id": "7001", "ready": True, "problems": 0, "problem_details": [], "checked_version": 5,
                   "checked_at": "2026-12-02T09:00:00+00:00"},
                  {"shop_id": "7003", "ready": False, "problems": 1, "checked_version": 5,
                   "checked_at": "2026-12-02T09:00:00+00:00", "problem_details": [
                       {"rule": "R32", "code": "category_not_leaf", "field": "category_id", "message": "not a leaf",
                        "value": "600", "fix": "pick a leaf", "child_sku": None}]}],
    "postings": [{"shop_id": "7001", "seller_sku": "TEE", "state": "posted", "product_id": "17",
                  "sku_ids": {"TEE": "171"}, "tiktok_status": "FAILED", "live": False, "posted_version": 4,
                  "record_version": 5, "errors": [],
                  "audit_failed_reasons": [{"position": "title", "reasons": ["too short"], "suggestions": []}],
                  "posted_at": "2026-12-02T10:00:00+00:00", "edited_at": "2026-12-03T10:00:00+00:00"}],
}


def test_every_image_in_order_main_first() -> None:
    item = product.product(BODY, "7001")
    assert [(i.role, i.sha256, i.source) for i in item.images] == [
        ("main image", SHA, "img/front.jpg"), ("gallery 1", None, "img/back.jpg"), ("gallery 2", SHA, "https://x/side.jpg")]


def test_the_record_as_the_product_file_names_it() -> None:
    facts = dict(product.product(BODY, "7001").facts)
    assert facts["price"] == "19.90 USD" and facts["category_id"] == "601"
    assert facts["dimensions"] == "30 × 20 × 3 CENTIMETER" and facts["weight"] == "0.25 KILOGRAM"
    assert facts["identifiers"] == "UPC=012345678905" and facts["attributes"] == "Material=Cotton"
    assert "brand" not in facts  # empty fields are left out


def test_the_category_used_on_a_shop_is_its_own_when_the_record_names_one() -> None:
    assert product.product(BODY, "7001").category_id == "601"
    assert product.product(BODY, "7002").category_id == "909"


def test_the_product_on_the_chosen_shop_and_on_every_shop() -> None:
    item = product.product(BODY, "7001")
    assert item.readiness.state == "ready"
    assert item.posting.label == "rejected by TikTok's review" and item.posting.outdated
    assert [(o.shop_id, o.readiness.state, o.posting.state) for o in item.shops] == [
        ("7001", "ready", "posted"), ("7003", "not_ready", "unposted")]
    elsewhere = product.product(BODY, "7009")
    assert elsewhere.readiness.state == "unchecked" and "7009" in [o.shop_id for o in elsewhere.shops]


def test_the_problems_of_each_shop_are_the_catalogs_problem_details_there() -> None:
    item = product.product(BODY, "7003")
    assert [(p.rule, p.field, p.message, p.value, p.fix) for p in item.readiness.problems] == [
        ("R32", "category_id", "not a leaf", "600", "pick a leaf")]
    elsewhere = {o.shop_id: o.readiness for o in product.product(BODY, "7001").shops}  # every shop's, from any page
    assert [p.code for p in elsewhere["7003"].problems] == ["category_not_leaf"] and elsewhere["7001"].problems == []


def test_variations_of_a_matrix_from_the_list_and_from_tiktoks_ids() -> None:
    listed = {"products": [
        {"seller_sku": "TEE", "parent_sku": None},
        {"seller_sku": "TEE-RED", "title": "Tee red", "parent_sku": "TEE", "version": 2,
         "image": {"source": "r.jpg", "sha256": SHA},
         "readiness": {"ready": False, "problems": 1, "checked_version": 2, "checked_at": "x"}},
        {"seller_sku": "TEESHIRT-OTHER", "parent_sku": "TEESHIRT"}]}
    on_tiktok = posting({"state": "posted", "product_id": "17", "sku_ids": {"TEE-RED": "1", "RED-TEE-XL": "2"}})
    found = product.variations("TEE", listed, on_tiktok, "7001")
    assert [(v.sku, v.sku_id, v.image, v.readiness.state) for v in found] == [
        ("RED-TEE-XL", "2", None, "unchecked"), ("TEE-RED", "1", SHA, "not_ready")]


def test_history_newest_first_with_the_review_now_on_top() -> None:
    events = product.history(product.product(BODY, "7001"))
    assert [e.at for e in events] == ["now", "2026-12-03T10:00:00+00:00", "2026-12-02T10:00:00+00:00",
                                      "2026-12-02T09:00:00+00:00", "2026-12-01T09:00:00+00:00"]
    assert events[0].what == "rejected by TikTok's review (TikTok status FAILED)"
    assert events[2].what == "posted as TikTok product 17"
    assert events[4].what == "matched to TikTok listing 17 on shop 7001 by product_id (import, R41)"


def test_check_words() -> None:
    assert wording.checked("TEE", "7001", {"ready": True, "identifier": {"type": "UPC", "code": "0123"}}) == [
        ("ok", "TEE is ready for shop 7001; identifier sent: UPC 0123.")]
    assert wording.checked("TEE", "7001", {"ready": False, "problems": [{}, {}]}) == [
        ("error", "TEE is not ready for shop 7001: 2 problem(s).")]


def test_post_words() -> None:
    assert wording.posted("TEE", "7001", {"state": "posted", "product_id": "17", "sku_ids": {"TEE": "171"}}) == [
        ("ok", ("TEE posted to shop 7001: TikTok product 17 (TEE=171); TikTok status PENDING (in review until "
               "TikTok decides)."))]
    assert wording.posted("TEE", "7001", {"state": "failed", "errors": [
        {"code": "12052303", "message": "not 1:1", "fix": "crop"}]}) == [
        ("error", "TEE was not posted to shop 7001: TikTok refused it."), ("error", "12052303: not 1:1 — crop")]


def test_update_words() -> None:
    said = wording.updated("TEE", "7001", "partial", {"product_id": "17", "fields": ["title", "images"],
                                                        "skus_added": ["TEE-XL"]})
    assert said == [("ok", ("TEE updated on shop 7001 (TikTok product 17, partial): title, images; back in TikTok's "
                           "review.")), ("ok", "variations added: TEE-XL")]
    refused = wording.updated("TEE", "7001", "full", {"refused": True, "errors": [{"code": "1", "message": "no"}]})
    assert refused[0] == ("error", ("TikTok refused the update of TEE on shop 7001; the product on TikTok is "
                                   "unchanged."))
    assert refused[1] == ("error", "1: no")


def test_a_stock_push_says_what_tiktok_took_of_each_sku() -> None:
    said = wording.updated("TEE", "7001", "inventory", {
        "kind": "inventory", "seller_sku": "TEE", "product_id": "17", "no_level": ["TEE-XL"],
        "skus": [{"seller_sku": "TEE", "sku_id": "171", "status": "sent", "quantity": 4},
                 {"seller_sku": "TEE-RED", "sku_id": "172", "status": "failed", "quantity": 2, "error": "no warehouse"}]})
    assert said == [("ok", "TEE: inventory 4 sent to TikTok product 17 (SKU 171): sent"),
                    ("error", "TEE-RED: inventory 2 sent to TikTok product 17 (SKU 172): failed — no warehouse"),
                    ("error", ("No inventory is known for TEE-XL: nothing was sent for them (publish an "
                              "InventoryChanged first)."))]


def test_the_update_modes_are_the_clis() -> None:
    assert [m for m, _ in wording.MODES] == ["partial", "full", "inventory", "price"]


def test_category_words_name_the_shops_it_became_ready_on() -> None:
    said = wording.category_set("TEE", "601", "Home > Candles", {"version": 6, "became_ready": [
        {"shop_id": "7001", "seller_sku": "TEE"}]})
    assert said == [("ok", "TEE: category_id set to 601 (Home > Candles); record version 6."),
                    ("ok", "TEE became ready for shop 7001.")]
