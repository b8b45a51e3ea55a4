"""Category tree (shape, v1/v2 per region, permission overrides), attributes, rules and brands."""

from __future__ import annotations

from typing import Any

from libs.sandbox.taxonomy import (
    CATEGORY_NOT_FOUND,
    CATEGORY_NOT_LEAF,
    CATEGORY_VERSION_INVALID,
    CATEGORY_VERSION_REQUIRED,
)
from tests.unit.sandbox.conftest import Sandbox, Shop
from tests.unit.sandbox.listing_helpers import BRANDS, CATEGORIES, categories, category_id

V2 = {"category_version": "v2"}


def by_id(tree: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {c["id"]: c for c in tree}


def depth(category: dict[str, Any], index: dict[str, dict[str, Any]]) -> int:
    level = 1
    while category["parent_id"] != "0":
        category, level = index[category["parent_id"]], level + 1
    return level


async def statuses(box: Sandbox, shop: Shop, cid: str) -> list[str]:
    return by_id(await categories(box, shop))[cid]["permission_statuses"]  # type: ignore[no-any-return]


async def test_tree_has_levels_hundreds_of_leaves_and_restricted_branches(sandbox: Sandbox, shop: Shop) -> None:
    tree = await categories(sandbox, shop)
    index = by_id(tree)
    assert len(index) == len(tree) and all(c["id"].isdigit() for c in tree)
    leaves = [c for c in tree if c["is_leaf"]]
    assert len(leaves) >= 300
    assert max(depth(c, index) for c in leaves) >= 3
    assert all(c["parent_id"] == "0" or c["parent_id"] in index for c in tree)
    parents = {c["parent_id"] for c in tree}
    assert all((c["id"] in parents) != c["is_leaf"] for c in tree)  # leaves have no children
    roots = {c["local_name"] for c in tree if c["parent_id"] == "0"}
    assert {"Womenswear", "Beauty & Personal Care", "Toys & Hobbies", "Collectibles", "Weapons"} <= roots
    found = {s for c in leaves for s in c["permission_statuses"]}
    assert {"AVAILABLE", "INVITE_ONLY", "PROHIBITED"} <= found
    fine = await category_id(sandbox, shop, "Jewellery & Accessories", "Fine jewellery", "Gold jewellery")
    assert index[fine]["permission_statuses"] == ["INVITE_ONLY"]
    keyword = (await sandbox.call("GET", CATEGORIES, shop=shop, params={**V2, "keyword": "t-shirt"})).json()
    assert {c["local_name"] for c in keyword["data"]["categories"]} == {"T-shirts", "Sports T-shirts"}


async def test_us_shops_need_v2_and_others_must_not_use_it(sandbox: Sandbox, shop: Shop) -> None:
    no_version = (await sandbox.call("GET", CATEGORIES, shop=shop)).json()
    assert no_version["code"] == CATEGORY_VERSION_REQUIRED and "v2" in no_version["message"]
    gb = await sandbox.new_shop(region="GB")
    v2_for_gb = (await sandbox.call("GET", CATEGORIES, shop=gb, params=V2)).json()
    assert v2_for_gb["code"] == CATEGORY_VERSION_INVALID
    us_tree, gb_tree = await categories(sandbox, shop), await categories(sandbox, gb, region="GB")
    assert [c["local_name"] for c in us_tree] == [c["local_name"] for c in gb_tree]
    assert not {c["id"] for c in us_tree} & {c["id"] for c in gb_tree}  # a mix-up is detectable
    v1_tshirts = await category_id(sandbox, gb, "Womenswear", "Tops", "T-shirts", region="GB")
    mixed = (await sandbox.call("GET", f"{CATEGORIES}/{v1_tshirts}/attributes", shop=shop, params=V2)).json()
    assert mixed["code"] == CATEGORY_NOT_FOUND and "v1 category id" in mixed["message"]


async def test_permission_overrides_per_shop_and_for_everyone(sandbox: Sandbox, shop: Shop) -> None:
    other = await sandbox.new_shop(name="Other")
    fine = await category_id(sandbox, shop, "Jewellery & Accessories", "Fine jewellery")
    gold = await category_id(sandbox, shop, "Jewellery & Accessories", "Fine jewellery", "Gold jewellery")
    await sandbox.control("POST", f"/sandbox/categories/{fine}/permission",
                          {"status": "AVAILABLE", "shop_id": shop.shop_id})
    assert await statuses(sandbox, shop, gold) == ["AVAILABLE"]  # the branch approval covers its leaves
    assert await statuses(sandbox, other, gold) == ["INVITE_ONLY"]
    tops = await category_id(sandbox, shop, "Womenswear", "Tops")
    tees = await category_id(sandbox, shop, "Womenswear", "Tops", "T-shirts")
    await sandbox.control("POST", f"/sandbox/categories/{tops}/permission", {"status": "INVITE_ONLY"})
    assert await statuses(sandbox, shop, tees) == ["INVITE_ONLY"]
    assert await statuses(sandbox, other, tees) == ["INVITE_ONLY"]
    guns = await category_id(sandbox, shop, "Weapons", "Firearms", "Guns")
    refused = await sandbox.http.post(f"/sandbox/categories/{guns}/permission", json={"status": "AVAILABLE"})
    assert refused.status_code == 400 and "prohibited" in refused.json()["message"]
    bad_status = await sandbox.http.post(f"/sandbox/categories/{tops}/permission", json={"status": "PROHIBITED"})
    assert bad_status.status_code == 400
    unknown = await sandbox.http.post("/sandbox/categories/42/permission", json={"status": "AVAILABLE"})
    assert unknown.status_code == 404


async def test_attributes_use_tiktoks_spelling_and_both_types(sandbox: Sandbox, shop: Shop) -> None:
    tees = await category_id(sandbox, shop, "Womenswear", "Tops", "T-shirts")
    answer = (await sandbox.call("GET", f"{CATEGORIES}/{tees}/attributes", shop=shop, params=V2)).json()
    assert answer["code"] == 0, answer
    attributes = {a["name"]: a for a in answer["data"]["attributes"]}
    assert all("is_requried" in a and "is_required" not in a for a in attributes.values())
    assert attributes["Color"]["type"] == attributes["Size"]["type"] == "SALES_PROPERTY"
    material = attributes["Material"]
    assert material["type"] == "PRODUCT_PROPERTY" and material["is_requried"] is True
    assert material["is_customizable"] and material["is_multiple_selection"]
    assert {"id", "name"} == set(material["values"][0]) and material["values"][0]["id"].isdigit()
    assert attributes["Pattern"]["is_requried"] is False and not attributes["Pattern"]["is_customizable"]
    phones = await category_id(sandbox, shop, "Phones & Electronics", "Phones & Tablets", "Mobile phones")
    phone_attrs = (await sandbox.call("GET", f"{CATEGORIES}/{phones}/attributes", shop=shop, params=V2)).json()
    named = {a["name"]: a for a in phone_attrs["data"]["attributes"]}
    included = named["Battery included"]
    yes = next(v["id"] for v in included["values"] if v["name"] == "Yes")
    assert named["Battery type"]["requirement_conditions"] == [
        {"condition_type": "VALUE_ID_MATCH", "attribute_id": included["id"], "attribute_value_id": yes}
    ]
    parent = await category_id(sandbox, shop, "Womenswear", "Tops")
    not_leaf = (await sandbox.call("GET", f"{CATEGORIES}/{parent}/attributes", shop=shop, params=V2)).json()
    assert not_leaf["code"] == CATEGORY_NOT_LEAF
    missing = (await sandbox.call("GET", f"{CATEGORIES}/999/attributes", shop=shop, params=V2)).json()
    assert missing["code"] == CATEGORY_NOT_FOUND


async def test_rules_of_restricted_and_clothing_leaves(sandbox: Sandbox, shop: Shop) -> None:
    async def rules(*path: str) -> dict[str, Any]:
        cid = await category_id(sandbox, shop, *path)
        answer = (await sandbox.call("GET", f"{CATEGORIES}/{cid}/rules", shop=shop, params=V2)).json()
        assert answer["code"] == 0, answer
        return answer["data"]  # type: ignore[no-any-return]

    toys = await rules("Toys & Hobbies", "Educational toys", "Puzzles")
    required = {c["name"] for c in toys["product_certifications"] if c["is_required"]}
    assert required == {"Children's Product Certificate (CPC)"}
    assert all(c["id"].isdigit() and c["sample_image_url"].startswith("https://") for c in toys["product_certifications"])
    lipstick = await rules("Beauty & Personal Care", "Makeup", "Lips", "Lipstick")
    assert [c["name"] for c in lipstick["product_certifications"] if c["is_required"]] == ["Cosmetic Product Safety Report"]
    tees = await rules("Womenswear", "Tops", "T-shirts")
    assert tees["size_chart"] == {"is_required": False, "is_supported": True}
    assert tees["product_certifications"] == [] and tees["package_dimension"]["is_required"] is True  # US shop
    mugs = await rules("Home & Kitchen", "Tableware", "Mugs")
    assert mugs["size_chart"]["is_supported"] is False


async def test_brands_page_and_filter_by_authorisation(sandbox: Sandbox, shop: Shop) -> None:
    seen: list[dict[str, Any]] = []
    token, total = "", None
    while True:
        params = {"page_size": 7, **({"page_token": token} if token else {})}
        answer = (await sandbox.call("GET", BRANDS, shop=shop, params=params)).json()
        assert answer["code"] == 0, answer
        total = answer["data"]["total_count"]
        seen += answer["data"]["brands"]
        token = answer["data"]["next_page_token"]
        if not token:
            break
    assert total == len(seen) >= 30 and len({b["id"] for b in seen}) == len(seen)
    assert [b["name"].casefold() for b in seen] == sorted(b["name"].casefold() for b in seen)
    assert {b["authorized_status"] for b in seen} == {"AUTHORIZED", "UNAUTHORIZED"}
    assert {b["brand_status"] for b in seen} == {"AVAILABLE", "UNAVAILABLE"}
    lipstick = await category_id(sandbox, shop, "Beauty & Personal Care", "Makeup", "Lips", "Lipstick")

    async def names(**filters: Any) -> set[str]:
        params = {"page_size": 100, "category_id": lipstick, **V2, **filters}
        answer = (await sandbox.call("GET", BRANDS, shop=shop, params=params)).json()
        assert answer["code"] == 0, answer
        return {b["name"] for b in answer["data"]["brands"]}

    authorised, unauthorised = await names(is_authorized="true"), await names(is_authorized="false")
    assert "Lumen Beauty" in authorised and "Northwind Apparel" not in authorised | unauthorised
    assert "Celestia Cosmetics" in unauthorised and not authorised & unauthorised
    assert await names(brand_name="petal") == {"Velvet Petal"}
    first = (await sandbox.call("GET", BRANDS, shop=shop, params={"page_size": 2})).json()["data"]
    reused = {"page_size": 2, "page_token": first["next_page_token"], "brand_name": "a"}
    assert (await sandbox.call("GET", BRANDS, shop=shop, params=reused)).json()["code"] == 36009004
    no_size = (await sandbox.call("GET", BRANDS, shop=shop)).json()
    assert no_size["code"] == 36009004 and "page_size" in no_size["message"]


async def test_a_brand_authorisation_tiktok_withdraws_shows_and_refuses_for_that_shop_only(
    sandbox: Sandbox, shop: Shop
) -> None:
    lipstick = await category_id(sandbox, shop, "Beauty & Personal Care", "Makeup", "Lips", "Lipstick")

    other = await sandbox.new_shop()

    async def status(brand: str, of: Shop = shop) -> str:
        params = {"page_size": 100, "category_id": lipstick, **V2, "brand_name": brand}
        [found] = (await sandbox.call("GET", BRANDS, shop=of, params=params)).json()["data"]["brands"]
        return str(found["authorized_status"]) + ":" + str(found["id"])

    state, brand_id = (await status("Lumen Beauty")).split(":")
    assert state == "AUTHORIZED"
    answer = await sandbox.control("POST", f"/sandbox/shops/{shop.shop_id}/brands/{brand_id}/authorization",
                                   {"authorized": False})
    assert answer["authorized"] is False
    assert (await status("Lumen Beauty")).startswith("UNAUTHORIZED")
    assert (await status("Lumen Beauty", other)).startswith("AUTHORIZED")  # TikTok authorises per seller
    await sandbox.control("POST", f"/sandbox/shops/{shop.shop_id}/brands/{brand_id}/authorization", {"authorized": True})
    assert (await status("Lumen Beauty")).startswith("AUTHORIZED")
