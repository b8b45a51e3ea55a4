"""R32: what a listing needs besides its media: enabled, price, title, description, a usable leaf category,
its required attributes, shipping weight and package dimensions."""

from __future__ import annotations

from decimal import Decimal

import pytest

from services.catalog.readiness import CategoryFacts, check_product
from services.catalog.readiness.domain import AttributeFacts
from tests.unit.catalog.readiness.factories import (
    MATERIAL,
    SHOP_ID,
    TEES,
    VALID_UPC,
    codes,
    context,
    product,
    the,
)


def test_a_complete_product_is_ready() -> None:
    result = check_product(product(), context())
    assert result.ready and result.problems == ()
    assert (result.seller_sku, result.shop_id) == ("TEE-RED-M", SHOP_ID)
    assert result.identifier == ("UPC", VALID_UPC)


def test_a_disabled_product_is_not_ready() -> None:
    result = check_product(product(enabled=False), context())
    assert not result.ready
    assert codes(result) == ["product_disabled"]
    assert the(result, "product_disabled").rule == "R32"


def test_price_must_be_set() -> None:
    p = the(check_product(product(price=None), context()), "price_missing")
    assert (p.rule, p.field, p.value) == ("R32", "price", None)


@pytest.mark.parametrize("price", [Decimal(0), Decimal("-1.00"), Decimal("NaN")])
def test_price_must_be_above_zero(price: Decimal) -> None:
    result = check_product(product(price=price), context())
    assert codes(result) == ["price_not_positive"]
    assert the(result, "price_not_positive").value == str(price)


def test_price_needs_an_iso_currency() -> None:
    assert codes(check_product(product(currency=None), context())) == ["currency_missing"]
    assert codes(check_product(product(currency="dollars"), context())) == ["currency_invalid"]


def test_title_must_be_set() -> None:
    assert codes(check_product(product(title="  "), context())) == ["title_missing"]


def test_short_description_falls_back_to_the_long_one() -> None:
    assert check_product(product(short_description=None), context()).ready
    only_short = check_product(product(description=None, short_description="Soft tee"), context())
    assert codes(only_short) == ["description_missing"]
    empty_html = check_product(product(description="<p> </p>", short_description="Soft tee"), context())
    assert codes(empty_html) == ["description_missing"]


def test_category_must_be_set() -> None:
    p = the(check_product(product(category_id=None), context(category=None)), "category_missing")
    assert (p.rule, p.field) == ("R32", "category_id")
    assert f"ttshop catalog categories export {SHOP_ID}" in p.fix


def test_category_must_be_in_the_downloaded_tree() -> None:
    result = check_product(product(category_id="999"), context(category=None))
    assert codes(result) == ["category_unknown"]
    assert the(result, "category_unknown").value == "999"
    assert f"ttshop catalog categories download {SHOP_ID}" in the(result, "category_unknown").fix


def test_category_must_be_a_leaf() -> None:
    tops = CategoryFacts(id="601100", name="Tops", path="Menswear > Tops", is_leaf=False, permission="AVAILABLE")
    result = check_product(product(category_id=tops.id), context(category=tops))
    assert codes(result) == ["category_not_leaf"]
    assert "Menswear > Tops" in the(result, "category_not_leaf").message


@pytest.mark.parametrize(
    ("permission", "code"),
    [("PROHIBITED", "category_prohibited"), ("INVITE_ONLY", "category_invite_only"),
     ("NON_MAIN_CATEGORY", "category_not_main"), ("SOMETHING_NEW", "category_permission_unknown")],
)
def test_category_permission(permission: str, code: str) -> None:
    category = CategoryFacts(TEES.id, TEES.name, TEES.path, True, permission)
    result = check_product(product(), context(category=category))
    assert codes(result) == [code]


def test_invite_only_category_says_to_apply_in_seller_center() -> None:
    category = CategoryFacts(TEES.id, TEES.name, TEES.path, True, "INVITE_ONLY")
    p = the(check_product(product(), context(category=category)), "category_invite_only")
    assert "needs TikTok's approval for this shop" in p.message
    assert "Seller Center" in p.fix


def test_required_attribute_must_have_a_value() -> None:
    result = check_product(product(attributes={}), context())
    p = the(result, "attribute_required_missing")
    assert (p.rule, p.field) == ("R32", "attributes.Material")
    assert "Cotton" in p.fix
    assert codes(check_product(product(attributes={"Material": ["  "]}), context())) == [
        "attribute_required_missing"
    ]


def test_an_attribute_required_by_another_attributes_value_needs_a_value_then_only() -> None:
    """TikTok's requirement_conditions: Battery type is required once Power source is Battery."""
    power = AttributeFacts(id="100600", name="Power source", type="PRODUCT_PROPERTY", required=False,
                           customizable=False, multiple=False, values=[("6001", "Battery"), ("6002", "None")])
    battery = AttributeFacts(id="100601", name="Battery type", type="PRODUCT_PROPERTY", required=False,
                             customizable=True, multiple=False, values=[("6101", "AA")],
                             required_when=[("100600", "6001")])
    ctx = context(attributes=[MATERIAL, power, battery])
    needs = check_product(product(attributes={"Material": ["Cotton"], "Power source": ["battery"]}), ctx)
    p = the(needs, "attribute_required_missing")
    assert p.field == "attributes.Battery type" and "when Power source is Battery" in p.message
    assert check_product(product(attributes={"Material": ["Cotton"], "Power source": ["None"]}), ctx).ready
    assert check_product(product(attributes={"Material": ["Cotton"], "Power source": ["Battery"],
                                             "Battery type": ["AA"]}), ctx).ready


def test_attributes_match_by_id_or_name_case_insensitively() -> None:
    assert check_product(product(attributes={"material": ["COTTON"]}), context()).ready
    assert check_product(product(attributes={MATERIAL.id: ["1002"]}), context()).ready


def test_attribute_value_must_come_from_the_list() -> None:
    result = check_product(product(attributes={"Material": ["Bamboo"]}), context())
    p = the(result, "attribute_value_not_allowed")
    assert (p.field, p.value) == ("attributes.Material", "Bamboo")
    assert "Cotton, Polyester, Wool" in p.fix


def test_customizable_attribute_takes_any_value() -> None:
    result = check_product(product(attributes={"Material": ["Cotton"], "Pattern": ["Paisley"]}), context())
    assert result.ready


def test_several_values_only_with_multiple_selection() -> None:
    many = {"Material": ["Cotton", "Wool"], "Features": ["Breathable", "Stretch"]}
    result = check_product(product(attributes=many), context())
    assert codes(result) == ["attribute_multiple_not_allowed"]
    assert the(result, "attribute_multiple_not_allowed").field == "attributes.Material"


def test_unknown_and_misplaced_attributes_are_reported() -> None:
    attributes = {"Material": ["Cotton"], "Fabric weight": ["180gsm"], "Color": ["Red"]}
    result = check_product(product(attributes=attributes), context())
    assert codes(result) == ["attribute_unknown", "attribute_is_sales_property"]


def test_attributes_never_downloaded_is_one_problem() -> None:
    result = check_product(product(attributes={"Material": ["Bamboo"]}), context(attributes_downloaded=False,
                                                                               attributes=[]))
    assert codes(result) == ["attributes_not_downloaded"]
    assert f"ttshop catalog attributes download {SHOP_ID}" in the(result, "attributes_not_downloaded").fix


def test_shipping_weight_is_required() -> None:
    assert codes(check_product(product(weight=None), context())) == ["weight_missing"]
    assert codes(check_product(product(weight=Decimal(0)), context())) == ["weight_not_positive"]
    assert codes(check_product(product(weight_unit=None), context())) == ["weight_unit_missing"]
    assert codes(check_product(product(weight_unit="GRAM"), context())) == ["weight_unit_invalid"]


def test_package_dimensions_are_required_each() -> None:
    result = check_product(product(length=None, height=Decimal(-2), dimension_unit=None),
                           context(package_dimensions_required=False))
    assert [(p.code, p.field) for p in result.problems] == [
        ("dimension_missing", "length"), ("dimension_not_positive", "height"),
        ("dimension_unit_missing", "dimension_unit"),
    ]
    assert codes(check_product(product(dimension_unit="METER"), context())) == ["dimension_unit_invalid"]
