"""Every problem is listed at once, a catalogue is summarised, and 10,000 products are checked quickly."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest

from services.catalog.readiness import (
    BrandFacts,
    CategoryFacts,
    CertificationFacts,
    Problem,
    Readiness,
    check_product,
    summarise,
)
from tests.unit.catalog.readiness.factories import (
    SHOP_ID,
    TEES,
    codes,
    context,
    good_image,
    image_bytes,
    image_media,
    product,
    video,
)


def test_seven_problems_are_all_reported_with_their_rules() -> None:
    ctx = context(
        category=CategoryFacts(TEES.id, TEES.name, TEES.path, True, "INVITE_ONLY"),
        brand=BrandFacts(id="1", name="Acme", authorized=False),
        certifications=[CertificationFacts(id="8647", name="Children's Product Certificate", required=True)],
    )
    p = product(
        price=None,
        gallery=[image_media("img/wide.jpg", image_bytes(1200, 800))],
        video=video(size_bytes=8 * 1024 * 1024),
        brand="Acme",
        identifiers={"EAN": "4006381333932"},
    )
    result = check_product(p, ctx)
    assert not result.ready
    assert sorted((x.rule, x.code) for x in result.problems) == [
        ("R32", "category_invite_only"),
        ("R32", "price_missing"),
        ("R33", "image_not_square"),
        ("R34", "video_too_big"),
        ("R35", "brand_not_authorised"),
        ("R36", "identifier_check_digit_invalid"),
        ("R37", "certification_missing"),
    ]
    assert all(x.message and x.fix and x.field for x in result.problems)


def _problem(code: str) -> Problem:
    return Problem(rule="R32", field="f", message="m", fix="x", code=code)


def test_summary_counts_ready_products_and_ranks_problems_by_products_affected() -> None:
    results = [
        Readiness("A", SHOP_ID, True, (), None, None),
        Readiness("B", SHOP_ID, False, (_problem("price_missing"), _problem("title_missing")), None, None),
        Readiness("C", SHOP_ID, False, (_problem("price_missing"),), None, None),
        Readiness("D", SHOP_ID, False, (_problem("dimension_missing"),) * 3, None, None),
    ]
    summary = summarise(iter(results), top=2)
    assert (summary.total, summary.ready, summary.not_ready) == (4, 1, 3)
    assert [(c.code, c.products, c.occurrences) for c in summary.top_problems] == [
        ("price_missing", 2, 2), ("dimension_missing", 1, 3),
    ]


def test_ten_thousand_products(capsys: pytest.CaptureFixture[str]) -> None:
    ctx = context()
    wide = image_media("img/wide.jpg", image_bytes(1200, 800))
    main = good_image()
    products = [
        product(
            seller_sku=f"SKU-{i}",
            price=None if i % 10 == 0 else Decimal("9.99"),
            gallery=[wide if i % 7 == 0 else main],
            attributes={"Material": ["Cotton"], "Features": ["Breathable", "Stretch"], "Pattern": [f"P{i}"]},
        )
        for i in range(10_000)
    ]
    started = time.perf_counter()
    results = [check_product(p, ctx) for p in products]
    summary = summarise(results)
    elapsed = time.perf_counter() - started
    with capsys.disabled():
        print(f"\ncheck_product: {len(products) / elapsed:,.0f} products/s ({elapsed:.2f} s for 10,000)")
    not_price = sum(1 for i in range(10_000) if i % 10 == 0)
    not_square = sum(1 for i in range(10_000) if i % 7 == 0)
    either = sum(1 for i in range(10_000) if i % 10 == 0 or i % 7 == 0)
    assert (summary.total, summary.not_ready) == (10_000, either)
    assert {(c.code, c.products) for c in summary.top_problems} == {
        ("image_not_square", not_square), ("price_missing", not_price),
    }
    assert codes(results[70]) == ["price_missing", "image_not_square"]
