"""R35 brand (optional, only sent when the shop says so) and R36 identifiers (one sent, by the shop's priority)."""

from __future__ import annotations

import pytest

from libs.common.gtin import gs1_check_digit
from services.catalog.readiness import BrandFacts, check_product
from services.catalog.readiness.identifiers import normalise
from tests.unit.catalog.readiness.factories import (
    SHOP_ID,
    VALID_EAN13,
    VALID_GTIN14,
    VALID_ISBN,
    VALID_UPC,
    codes,
    context,
    product,
    shop,
    the,
)

ACME = BrandFacts(id="7082427311584347905", name="Acme", authorized=True)


def test_brand_info_off_sends_and_checks_nothing() -> None:
    ctx = context(shop=shop(send_brand_info=False), brand=None, brands_downloaded=False)
    result = check_product(product(brand="Unknown Brand"), ctx)
    assert result.ready and result.brand_to_send is None


def test_no_brand_is_fine() -> None:
    result = check_product(product(brand=None), context())
    assert result.ready and result.brand_to_send is None


def test_authorised_brand_is_sent_by_id() -> None:
    result = check_product(product(brand="Acme"), context(brand=ACME))
    assert result.ready and result.brand_to_send == ACME.id


def test_unknown_brand() -> None:
    result = check_product(product(brand="Acme"), context(brand=None, brands_downloaded=True))
    p = the(result, "brand_unknown")
    assert (p.rule, p.field, p.value) == ("R35", "brand", "Acme")
    assert result.brand_to_send is None


def test_brands_never_downloaded_says_to_download_them() -> None:
    result = check_product(product(brand="Acme"), context(brand=None, brands_downloaded=False))
    p = the(result, "brands_not_downloaded")
    assert f"ttshop catalog brands download {SHOP_ID}" in p.fix


def test_brand_not_authorised_for_the_category() -> None:
    brand = BrandFacts(id="1", name="Acme", authorized=False)
    result = check_product(product(brand="Acme"), context(brand=brand))
    assert codes(result) == ["brand_not_authorised"]
    assert result.brand_to_send is None


def test_gs1_check_digit() -> None:
    assert gs1_check_digit("01234567890") == 5
    assert gs1_check_digit("400638133393") == 1
    assert gs1_check_digit("978030640615") == 7
    assert normalise(VALID_UPC) == VALID_GTIN14


@pytest.mark.parametrize("kind,code", [("UPC", VALID_UPC), ("EAN", VALID_EAN13), ("EAN", "96385074"),
                                       ("GTIN", VALID_GTIN14), ("ISBN", VALID_ISBN)])
def test_valid_identifiers(kind: str, code: str) -> None:
    result = check_product(product(identifiers={kind: code}), context())
    assert result.ready and result.identifier == (kind, code)


def test_no_identifier_is_not_a_problem() -> None:
    result = check_product(product(identifiers={}), context())
    assert result.ready and result.identifier is None


@pytest.mark.parametrize("kind,code", [("UPC", "01234567890"), ("GTIN", VALID_UPC), ("EAN", "123456789"),
                                       ("ISBN", "030640615X")])
def test_identifier_length(kind: str, code: str) -> None:
    result = check_product(product(identifiers={kind: code}), context())
    p = the(result, "identifier_length_invalid")
    assert (p.rule, p.field, p.value) == ("R36", kind.lower(), code)
    assert result.identifier is None


def test_isbn_10_fix_gives_its_isbn_13() -> None:
    p = the(check_product(product(identifiers={"ISBN": "0306406152"}), context()), "identifier_length_invalid")
    assert VALID_ISBN in p.fix


def test_identifier_digits_only() -> None:
    result = check_product(product(identifiers={"ISBN": "978-0-306-40615-7"}), context())
    p = the(result, "identifier_not_numeric")
    assert VALID_ISBN in p.fix


def test_isbn_prefix() -> None:
    code = "1234567890128"  # a valid EAN-13, but not an ISBN
    assert codes(check_product(product(identifiers={"ISBN": code}), context())) == ["isbn_prefix_invalid"]


def test_identifier_check_digit() -> None:
    result = check_product(product(identifiers={"UPC": "012345678900"}), context())
    p = the(result, "identifier_check_digit_invalid")
    assert "should be 5" in p.message
    assert result.identifier is None


def test_unknown_identifier_type() -> None:
    assert codes(check_product(product(identifiers={"ASIN": "B000123"}), context())) == ["identifier_type_unknown"]


def test_a_code_owned_by_another_sku_is_a_duplicate_even_in_another_form() -> None:
    ctx = context(gtin_owners={VALID_GTIN14: "TEE-BLUE-M"})
    result = check_product(product(identifiers={"UPC": VALID_UPC}), ctx)
    p = the(result, "identifier_duplicate")
    assert "TEE-BLUE-M" in p.message and p.rule == "R36"
    assert result.identifier is None


def test_a_code_owned_by_the_product_itself_is_not_a_duplicate() -> None:
    ctx = context(gtin_owners={VALID_GTIN14: "TEE-RED-M"})
    assert check_product(product(identifiers={"UPC": VALID_UPC}), ctx).ready


def test_the_first_valid_identifier_of_the_shop_priority_is_sent() -> None:
    both = {"UPC": VALID_UPC, "EAN": VALID_EAN13}
    ean_first = context(shop=shop(identifier_priority=["EAN", "UPC"]))
    assert check_product(product(identifiers=both), ean_first).identifier == ("EAN", VALID_EAN13)
    assert check_product(product(identifiers=both), context()).identifier == ("UPC", VALID_UPC)


def test_an_invalid_identifier_falls_back_to_the_next_in_priority() -> None:
    result = check_product(product(identifiers={"UPC": "012345678900", "EAN": VALID_EAN13}), context())
    assert result.identifier == ("EAN", VALID_EAN13)
    assert codes(result) == ["identifier_check_digit_invalid"]


def test_a_type_outside_the_priority_is_never_sent() -> None:
    result = check_product(product(identifiers={"ISBN": VALID_ISBN}), context(shop=shop(identifier_priority=["UPC"])))
    assert result.ready and result.identifier is None
