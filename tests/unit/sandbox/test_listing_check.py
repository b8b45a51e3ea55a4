"""POST products/listing_check: a good body passes; a bad one gets every failure with its code; the
rules are the pure ``listing_rules.check_create_body`` a later product create reuses."""

from __future__ import annotations

import copy
from typing import Any

from libs.sandbox.listing_rules import check_create_body
from libs.sandbox.state import SandboxState
from tests.unit.sandbox.conftest import Sandbox, Shop, make_settings, open_sandbox
from tests.unit.sandbox.listing_helpers import (
    PDF,
    attribute_ids,
    brand_id,
    category_id,
    good_tshirt_body,
    listing_check,
    upload_file,
    upload_image,
)


def codes(result: dict[str, Any]) -> list[int]:
    return [f["code"] for f in result["fail_reasons"]]


def messages(result: dict[str, Any], code: int) -> list[str]:
    return [f["message"] for f in result["fail_reasons"] if f["code"] == code]


async def test_a_good_body_passes_and_creates_nothing(sandbox: Sandbox, shop: Shop) -> None:
    result = await listing_check(sandbox, shop, await good_tshirt_body(sandbox, shop))
    assert result == {"check_result": "PASS", "fail_reasons": [], "warnings": []}
    listed = await sandbox.control("GET", f"/sandbox/shops/{shop.shop_id}/products")
    assert listed["products"] == []


async def test_every_problem_is_reported_with_its_code(sandbox: Sandbox, shop: Shop) -> None:
    body = await good_tshirt_body(sandbox, shop)
    wide = await upload_image(sandbox, shop, 1200, 900)
    small = await upload_image(sandbox, shop, 200, 200)
    webp = await upload_image(sandbox, shop, 800, 800, fmt="WEBP")
    ids = await attribute_ids(sandbox, shop, body["category_id"])
    first = body["main_images"][0]
    body.update(
        title="",
        brand_id=await brand_id(sandbox, shop, "Lumen Beauty"),
        main_images=[first, {"uri": "tos-nowhere/123"}, {"uri": wide["uri"]}, {"uri": small["uri"]},
                     {"uri": webp["uri"]}, first],
        product_attributes=[{"id": ids["Pattern"], "values": [{"name": "Zebra-ish"}]}],
        certifications=[{"id": "999", "images": []}],
    )
    del body["package_weight"]
    body["skus"][0]["price"]["amount"] = "0"
    body["skus"][1]["inventory"] = [{"warehouse_id": "123", "quantity": 1}]
    result = await listing_check(sandbox, shop, body)
    assert result["check_result"] == "FAILED"
    assert sorted(codes(result)) == sorted([
        12019120,  # title
        12052201,  # brand not authorised for the category
        12052300, 12052303, 12052301, 12052302, 12052305,  # unknown, 4:3, 200 px, WEBP, repeated
        12052104, 12052104,  # Pattern value not allowed, Material missing
        12052105,  # not a certification of the category
        12019004, 12019003,  # price 0, foreign warehouse
        12019122,  # no package weight
    ])
    assert "Lumen Beauty" in messages(result, 12052201)[0] and "T-shirts" in messages(result, 12052201)[0]
    attribute_problems = " | ".join(messages(result, 12052104))
    assert "'Zebra-ish' is not a value of Pattern" in attribute_problems and "Material" in attribute_problems
    assert "1200x900" in messages(result, 12052303)[0] and "main_images[2]" in messages(result, 12052303)[0]
    assert "skus[0].price.amount 0" in messages(result, 12019004)[0]


async def test_category_permissions_and_versions_fail_the_check(sandbox: Sandbox, shop: Shop) -> None:
    async def category_codes(category: str, **extra: Any) -> list[int]:
        body = {"category_id": category, "category_version": "v2", **extra}
        return codes(await listing_check(sandbox, shop, body))

    gold = await category_id(sandbox, shop, "Jewellery & Accessories", "Fine jewellery", "Gold jewellery")
    assert 12052223 in await category_codes(gold)
    await sandbox.control("POST", f"/sandbox/categories/{gold}/permission",
                          {"status": "AVAILABLE", "shop_id": shop.shop_id})
    assert not {12052223, 12052226} & set(await category_codes(gold))
    tops = await category_id(sandbox, shop, "Womenswear", "Tops")
    tees = await category_id(sandbox, shop, "Womenswear", "Tops", "T-shirts")
    await sandbox.control("POST", f"/sandbox/categories/{tops}/permission",
                          {"status": "INVITE_ONLY", "shop_id": shop.shop_id})
    assert 12052226 in await category_codes(tees)
    assert 12052024 in await category_codes(tops)
    assert 12052220 in await category_codes(await category_id(sandbox, shop, "Tobacco & Smoking", "E-cigarettes", "Vapes"))
    assert 12052023 in await category_codes("600003")  # a v1 id in a US shop
    no_version = codes(await listing_check(sandbox, shop, {"category_id": tees}))
    assert 12052217 in no_version


async def test_required_certification_and_conditional_attribute(sandbox: Sandbox, shop: Shop) -> None:
    puzzles = await category_id(sandbox, shop, "Toys & Hobbies", "Educational toys", "Puzzles")
    rules = (await sandbox.call("GET", f"/product/202309/categories/{puzzles}/rules", shop=shop,
                                params={"category_version": "v2"})).json()["data"]
    cpc = next(c for c in rules["product_certifications"] if c["is_required"])
    ids = await attribute_ids(sandbox, shop, puzzles)
    battery = {"id": ids["Battery included"], "values": [{"name": "Yes"}]}
    base = {"category_id": puzzles, "category_version": "v2", "product_attributes": [battery]}
    without = await listing_check(sandbox, shop, base)
    assert any(cpc["name"] in m for m in messages(without, 12052105))
    assert any("Battery type" in m and "because of another attribute" in m for m in messages(without, 12052104))
    pdf = await upload_file(sandbox, shop, PDF, "cpc.pdf")
    good_cert = {**base, "certifications": [{"id": cpc["id"], "files": [{"id": pdf["id"]}]}]}
    assert 12052105 not in codes(await listing_check(sandbox, shop, good_cert))
    unknown_file = {**base, "certifications": [{"id": cpc["id"], "files": [{"id": "f10nope"}]}]}
    assert any("f10nope" in m for m in messages(await listing_check(sandbox, shop, unknown_file), 12019110))


async def test_sales_attributes_description_and_identifiers_are_checked(sandbox: Sandbox, shop: Shop) -> None:
    body = await good_tshirt_body(sandbox, shop)
    skus = body["skus"]
    skus.append(copy.deepcopy(skus[1]) | {"seller_sku": "TEE-RED-L"})  # same values, same seller_sku
    skus.append({**copy.deepcopy(skus[1]), "seller_sku": "TEE-ODD", "sales_attributes": [
        {"name": "Fabric finish and feel", "value_name": "Soft"}]})
    skus[1]["sales_attributes"][1]["sku_img"] = {"uri": body["main_images"][0]["uri"]}  # MAIN_IMAGE, 2nd dim
    skus[1]["identifier_code"] = {"type": "UPC", "code": "012345678905"}  # same as skus[0]
    body["description"] = '<p>Hi</p><script>x()</script><img src="https://example.com/a.jpg" width="10">'
    result = await listing_check(sandbox, shop, body)
    sales = " | ".join(messages(result, 12019124))
    assert "same sales attribute values as skus[1]" in sales
    assert "over 20 characters" in sales and "sku_img may be set on one sales attribute only" in sales
    assert any("also skus[1].seller_sku" in m for m in messages(result, 12019123))
    assert any("was uploaded as MAIN_IMAGE, needs ATTRIBUTE_IMAGE" in m for m in messages(result, 12019110))
    assert any("also the code of skus[0]" in m for m in messages(result, 12019125))
    description = " | ".join(messages(result, 12019121))
    assert "script" in description and "height must be given" in description
    assert any("example.com" in m for m in messages(result, 12019110))


async def test_sku_limit_is_a_setting_and_the_rules_are_a_pure_function() -> None:
    async for box in open_sandbox(make_settings(max_skus_per_product=2)):
        shop = await box.new_shop()
        body = await good_tshirt_body(box, shop)
        third = copy.deepcopy(body["skus"][1])
        third["seller_sku"], third["sales_attributes"][1]["value_name"] = "TEE-RED-XL", "XL"
        body["skus"].append(third)
        state: SandboxState = box.app.state.sandbox
        failures = check_create_body(body, state.shops[shop.shop_id], state)
        assert [(f.code, f.message) for f in failures] == [(12052050, "the product has 3 SKUs; at most 2")]
        body["skus"].pop()
        assert check_create_body(body, state.shops[shop.shop_id], state) == []
