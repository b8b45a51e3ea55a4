"""Properties of the readiness rules (R32-R37, R39) over generated products and shop taxonomies: whatever a
record holds (any text, NUL and right-to-left marks included; any number, NaN and negatives included; fields
missing; images whose facts make no sense) the check answers instead of raising, says the same for the same
input every time (also with a fresh context, whose lookups are computed again), and every problem it
reports tells the seller what, where and what to do."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any, get_args

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.catalog.readiness import (
    AttributeFacts,
    BrandFacts,
    CategoryFacts,
    CertificationFacts,
    Context,
    DocumentFacts,
    ImageFacts,
    MediaFacts,
    ProductFacts,
    Readiness,
    Rule,
    ShopFacts,
    check_product,
    summarise,
)

PROPERTIES = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
RULES = set(get_args(Rule))

TEXT = st.one_of(
    st.text(max_size=24),
    st.sampled_from([
        "", " ", "\x00", "Cot\x00ton", "\u202eton\u200f", "e\u0301", "'; DROP TABLE products;--", '"Red"', "😀",
        "<p></p>", "&nbsp;", "RED", "red ", "x" * 300,
    ]),
)
NAMES = st.sampled_from(["Material", "Color", "Size", "100392", "100000", "Battery type", "FCC"]) | TEXT
CODES = st.one_of(
    st.text("0123456789", min_size=8, max_size=14), st.sampled_from(["012345678905", "4006381333931",
                                                                    "00012345678905", "9780306406157", "030640615X"]),
    TEXT,
)
NUMBERS = st.one_of(
    st.none(), st.decimals(allow_nan=True, allow_infinity=True),
    st.sampled_from([Decimal(0), Decimal("-0"), Decimal(-1), Decimal("0.001"), Decimal("1E+30"), Decimal("NaN")]),
)
SIDES = st.one_of(st.none(), st.integers(min_value=-5, max_value=30_000), st.sampled_from([0, 599, 600, 20_001]))


def maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.none() | strategy


IMAGES = st.builds(
    ImageFacts, sha256=TEXT, size_bytes=st.integers(min_value=-1, max_value=50 * 1024 * 1024),
    format=maybe(st.sampled_from(["JPEG", "PNG", "WEBP", "GIF", "MPO"]) | TEXT), width=SIDES, height=SIDES,
    error=maybe(TEXT),
)
MEDIA = st.builds(
    MediaFacts, source=TEXT, kind=st.sampled_from(["image", "video", "document"]),
    size_bytes=maybe(st.integers(min_value=-1, max_value=200 * 1024 * 1024)), sha256=maybe(TEXT),
    image=maybe(IMAGES), content_type=maybe(st.sampled_from(["image/jpeg", "application/pdf", "video/mp4"]) | TEXT),
    error=maybe(TEXT),
)


def products(parent_sku: st.SearchStrategy[str | None] | None = None) -> st.SearchStrategy[ProductFacts]:
    return st.builds(
        ProductFacts, seller_sku=TEXT, parent_sku=maybe(TEXT) if parent_sku is None else parent_sku, enabled=st.booleans(), title=maybe(TEXT),
        description=maybe(TEXT), short_description=maybe(TEXT), price=NUMBERS, currency=maybe(TEXT),
        category_id=maybe(st.sampled_from(["601226", "600001"]) | TEXT), brand=maybe(NAMES),
        attributes=st.dictionaries(NAMES, st.lists(NAMES, max_size=3), max_size=4),
        sales_attributes=st.dictionaries(NAMES, NAMES, max_size=3), weight=NUMBERS,
        weight_unit=maybe(st.sampled_from(["KILOGRAM", "POUND", "kg"]) | TEXT), length=NUMBERS, width=NUMBERS,
        height=NUMBERS, dimension_unit=maybe(st.sampled_from(["CENTIMETER", "INCH"]) | TEXT),
        # a record's identifiers are keyed by the column they came from: never a blank name
        identifiers=st.dictionaries(st.sampled_from(["UPC", "EAN", "GTIN", "ISBN", "ASIN", "upc "]) | TEXT.filter(str.strip),
                                    CODES, max_size=4),
        main_image=maybe(MEDIA), gallery=st.lists(MEDIA, max_size=11), video=maybe(MEDIA),
        documents=st.lists(st.builds(DocumentFacts, requirement=NAMES, media=MEDIA), max_size=3),
    )


PAIRS = st.lists(st.tuples(NAMES, NAMES), max_size=4)
ATTRIBUTES = st.builds(
    AttributeFacts, id=NAMES, name=NAMES, type=st.sampled_from(["SALES_PROPERTY", "PRODUCT_PROPERTY"]),
    required=st.booleans(), customizable=st.booleans(), multiple=st.booleans(), values=PAIRS, required_when=PAIRS,
)
CONTEXTS = st.builds(
    Context,
    shop=st.builds(ShopFacts, shop_id=TEXT, send_brand_info=st.booleans(), send_matrix_image=st.booleans(),
                   identifier_priority=st.lists(st.sampled_from(["UPC", "EAN", "GTIN", "ISBN"]) | TEXT, max_size=5)),
    category=maybe(st.builds(CategoryFacts, id=TEXT, name=TEXT, path=TEXT, is_leaf=st.booleans(),
                             permission=st.sampled_from(["AVAILABLE", "INVITE_ONLY", "NON_MAIN_CATEGORY",
                                                         "PROHIBITED", "available "]) | TEXT)),
    attributes_downloaded=st.booleans(), attributes=st.lists(ATTRIBUTES, max_size=5),
    certifications=st.lists(st.builds(CertificationFacts, id=NAMES, name=NAMES, required=st.booleans()), max_size=3),
    package_dimensions_required=st.booleans(),
    brand=maybe(st.builds(BrandFacts, id=NAMES, name=NAMES, authorized=st.booleans())),
    brands_downloaded=st.booleans(), gtin_owners=st.dictionaries(CODES, TEXT, max_size=3),
    max_children=st.integers(min_value=0, max_value=101),
)


def _assert_actionable(readiness: Readiness) -> None:
    assert readiness.ready == (not readiness.problems)
    for problem in readiness.problems:
        assert problem.rule in RULES
        assert problem.code and problem.field and problem.message.strip() and problem.fix.strip(), problem


@PROPERTIES
@given(product=products(), ctx=CONTEXTS)
def test_any_product_gets_an_answer_and_the_same_one_every_time(product: ProductFacts, ctx: Context) -> None:
    first = check_product(product, ctx)

    assert check_product(product, ctx) == first
    assert check_product(product, replace(ctx)) == first  # a fresh context: its cached lookups built again
    assert first.seller_sku == product.seller_sku
    _assert_actionable(first)


@PROPERTIES
@given(data=st.data(), ctx=CONTEXTS)
def test_any_matrix_parent_gets_an_answer_and_the_same_one_every_time(data: st.DataObject, ctx: Context) -> None:
    parent = data.draw(products(parent_sku=st.none()))
    children = data.draw(st.lists(products(parent_sku=st.just(parent.seller_sku) | TEXT), min_size=1, max_size=4))
    judged = [(child, check_product(child, ctx)) for child in children]

    first = check_product(parent, ctx, judged)

    assert check_product(parent, replace(ctx), judged) == first
    _assert_actionable(first)
    summary = summarise([first, *(r for _, r in judged)], top=3)
    assert (summary.total, summary.ready + summary.not_ready) == (len(judged) + 1, len(judged) + 1)
    assert len(summary.top_problems) <= 3
