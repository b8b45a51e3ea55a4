"""A product-file row as a change to our record, and a record as a row (R47): every problem of a row at once,
nothing half-loaded, and an exported row loads back to the same record."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from libs.common.product_file import SheetRow, read_rows, write_rows
from services.catalog.products.domain import (
    CHANGEABLE,
    CLEAR,
    DocumentRef,
    MediaRef,
    Product,
    ProductChange,
    apply_change,
)
from services.catalog.products.sheet import parse_row, product_to_row


def _parse(**cells: Any) -> tuple[ProductChange | None, list[tuple[str | None, str]]]:
    change, problems = parse_row(SheetRow(7, {"sku": "TEE-1", **cells}))
    assert all(p.row == 7 for p in problems)
    return change, [(p.column, p.message) for p in problems]


def _value(column: str, raw: Any) -> Any:
    change, problems = _parse(**{column: raw})
    assert problems == [] and change is not None
    assert len(change.values) == 1
    return next(iter(change.values.values()))


@pytest.mark.parametrize(("column", "raw", "expected"), [
    ("parent_sku", "TEE", "TEE"),
    ("title", "Organic cotton tee", "Organic cotton tee"),
    ("title", "x" * 255, "x" * 255),
    ("short_description", "Soft tee", "Soft tee"),
    ("price", "19.90", Decimal("19.90")),
    ("price", "0", Decimal(0)),
    ("currency", "usd", "USD"),
    ("enabled", "Yes", True), ("enabled", "FALSE", False), ("enabled", "1", True), ("enabled", "no", False),
    ("category_id", "601226", "601226"),
    ("brand", "Acme", "Acme"),
    ("weight", "0.25", Decimal("0.25")), ("height", "3", Decimal(3)),
    ("weight_unit", "kg", "KILOGRAM"), ("weight_unit", "Pound", "POUND"), ("weight_unit", "LB", "POUND"),
    ("dimension_unit", "cm", "CENTIMETER"), ("dimension_unit", "inch", "INCH"), ("dimension_unit", "in", "INCH"),
    ("upc", "0123-4567 8905", {"UPC": "012345678905"}), ("isbn", "978-3-16-148410-0", {"ISBN": "9783161484100"}),
    ("main_image", "img/tee front.jpg", MediaRef("img/tee front.jpg")),
    ("video", "https://cdn.example/tee.mp4", MediaRef("https://cdn.example/tee.mp4")),
    ("images", "img/back.jpg| img/side.jpg |", [MediaRef("img/back.jpg"), MediaRef("img/side.jpg")]),
    ("images", ["img/back.jpg"], [MediaRef("img/back.jpg")]),
    ("attributes", "Material=Cotton; Season=Summer|Winter;", {"Material": ["Cotton"], "Season": ["Summer", "Winter"]}),
    ("attributes", {"Material": "Cotton", "Season": ["Summer"]}, {"Material": ["Cotton"], "Season": ["Summer"]}),
    ("sales_attributes", "Color=Red; Size=M", {"Color": "Red", "Size": "M"}),
    ("sales_attributes", {"Color": "Red"}, {"Color": "Red"}),
    ("documents", "Children's Product Certificate=docs/cpc.pdf|docs/cpc2.pdf; FCC=docs/fcc.pdf", [
        DocumentRef("Children's Product Certificate", MediaRef("docs/cpc.pdf")),
        DocumentRef("Children's Product Certificate", MediaRef("docs/cpc2.pdf")),
        DocumentRef("FCC", MediaRef("docs/fcc.pdf"))]),
    ("documents", {"FCC": ["docs/fcc.pdf"]}, [DocumentRef("FCC", MediaRef("docs/fcc.pdf"))]),
])
def test_good_values_become_the_record_field(column: str, raw: Any, expected: Any) -> None:
    assert _value(column, raw) == expected


@pytest.mark.parametrize(("column", "raw", "says"), [
    ("parent_sku", "TEE-1", "own parent"),
    ("parent_sku", "P" * 51, "at most 50"),
    ("title", "x" * 256, "at most 255 characters, this one 256"),
    ("title", ["a list"], "must be text"),
    ("price", "-1", "0 or more"), ("price", "19.999", "at most 2 decimals"), ("price", "19,90", "use a point"),
    ("price", "$19", "not a number"), ("price", "NaN", "not a number"),
    ("currency", "US", "3 letters"), ("currency", "U$D", "3 letters"),
    ("enabled", "maybe", "true or false"),
    ("category_id", "60-12", "digits only"), ("category_id", "٦٠١", "digits only"),
    ("weight", "0", "more than 0"), ("width", "-2", "more than 0"), ("length", "ten", "not a number"),
    ("weight_unit", "stone", "KILOGRAM or POUND"), ("dimension_unit", "mm", "CENTIMETER or INCH"),
    ("ean", "40012345X", "digits only"), ("gtin", "ABC", "digits only"),
    ("main_image", "/home/me/tee.jpg", "relative to the product file"),
    ("video", "C:\\media\\tee.mp4", "relative to the product file"),
    ("images", "img/a.jpg|file:///etc/passwd", "http(s) URL or a path"),
    ("images", "|", "separated by |"),
    ("images", {"a": "b"}, "separated by |"),
    ("attributes", "Material; Pattern=Solid", "'Material' is not Name=Value"),
    ("attributes", "=Cotton", "'=Cotton' is not Name=Value"),
    ("attributes", "Material=", "Material has no value"),
    ("attributes", "Material=Cotton; Material=Wool", "Material given twice"),
    ("attributes", ["Material=Cotton"], "not a list"),
    ("sales_attributes", "Color=Red|Blue", "one value of each sales attribute: Color"),
    ("documents", "docs/cpc.pdf", "'docs/cpc.pdf' is not Name=Value"),
    ("documents", "FCC=/etc/fcc.pdf", "relative to the product file"),
    ("title", "Tee\x00", "NUL character (\\x00) at position 3"),
    ("description", "<p>Soft\x00</p>", "NUL character"),
    ("attributes", {"Material": ["Cot\x00ton"]}, "Material[0]: contains a NUL character"),
    ("attributes", {"Mat\x00erial": "Cotton"}, "(the key): contains a NUL character"),
    ("brand", "B" * 65_537, "is 65,537 characters long; a value has at most 65,536"),
    ("attributes", {"M" * 256: "Cotton"}, "is 256 characters long; a name has at most 255"),
])
def test_bad_values_are_refused_with_the_column_and_what_is_wrong(column: str, raw: Any, says: str) -> None:
    change, problems = _parse(**{column: raw})
    assert change is None
    assert len(problems) == 1
    assert problems[0][0] == column and says in problems[0][1], problems


def test_a_row_with_several_bad_columns_reports_all_of_them_with_their_values_and_loads_nothing() -> None:
    change, problems = parse_row(SheetRow(4, {
        "sku": "TEE-1", "title": "fine", "price": "abc", "currency": "dollars", "weight": "-1",
        "attributes": "Material", "upc": "12a",
    }))
    assert change is None
    assert [(p.row, p.column, p.value) for p in problems] == [
        (4, "price", "abc"), (4, "currency", "dollars"), (4, "weight", "-1"), (4, "attributes", "Material"),
        (4, "upc", "12a"),
    ]
    assert str(problems[0]).startswith("row 4, column price: is not a number")


@pytest.mark.parametrize(("sku", "says"), [
    (None, "SKU is required"), ("", "SKU is required"), (" TEE", "spaces"), ("T" * 51, "at most 50"),
    ("-", "cannot be cleared"), ("TEE\x00", "the SKU contains a NUL character (\\x00) at position 3"),
    ("T" * 1_000_000, "at most 50 characters (TikTok's limit for a seller SKU), this one 1,000,000"),
])
def test_the_sku_is_required_and_checked_and_other_columns_are_still_reported(sku: str | None, says: str) -> None:
    cells: dict[str, Any] = {"price": "x"} if sku is None else {"sku": sku, "price": "x"}
    change, problems = parse_row(SheetRow(2, cells))
    assert change is None
    assert [p.column for p in problems] == ["sku", "price"]
    assert says in problems[0].message


HOSTILE = "O'Brien \"quoted\" '; DROP TABLE products;-- \u202egnp.exe\u200f 😀 e\u0301 ٣"


@pytest.mark.parametrize("column", ["title", "short_description", "brand"])
def test_quotes_sql_rtl_marks_emoji_and_combining_characters_are_kept_verbatim(column: str) -> None:
    assert _value(column, HOSTILE) == HOSTILE


def test_a_dash_clears_every_column_but_the_sku() -> None:
    columns = ["parent_sku", "title", "description", "short_description", "price", "currency", "enabled",
               "category_id", "brand", "weight", "weight_unit", "length", "width", "height", "dimension_unit",
               "main_image", "images", "video", "attributes", "sales_attributes", "documents"]
    change, problems = _parse(**dict.fromkeys(columns, "-"), upc="-")
    assert problems == [] and change is not None
    assert change.values == {**dict.fromkeys(columns, CLEAR), "identifiers": {"UPC": CLEAR}}
    assert set(columns) | {"identifiers"} == set(CHANGEABLE) - {"shop_categories"}


def test_description_is_sanitised_and_a_huge_one_is_refused_with_its_length() -> None:
    html = ('<p dir="rtl" style="color:red" onclick="steal()">שלום <b>bold</b></p><script>alert(1)</script>'
            '<img src="javascript:alert(1)"><img src="img/detail.jpg" onerror="x()"><a href="http://x">link</a>')
    assert _value("description", html) == '<p dir="rtl">שלום <b>bold</b></p><img><img src="img/detail.jpg">link'
    change, problems = _parse(description="<p>" + "x" * 1_048_576 + "</p>")
    assert change is None
    assert problems == [("description", "is 1,048,583 characters long; a description has at most 100,000")]
    assert parse_row(SheetRow(2, {"sku": "A", "description": "x" * 11}), max_description_chars=10)[0] is None
    assert _parse(description="<script>alert(1)</script>")[1][0][1].startswith("nothing is left")


def test_identifier_columns_merge_by_type_so_a_row_with_only_upc_keeps_the_ean() -> None:
    product = Product("TEE-1", identifiers={"EAN": "4006381333931", "GTIN": "00012345678905"}, version=3)
    change, _ = _parse(upc="012345678905", gtin="-")
    assert change is not None
    updated = apply_change(product, change)
    assert updated.identifiers == {"EAN": "4006381333931", "UPC": "012345678905"}
    assert updated.version == 4


def test_empty_cells_change_nothing() -> None:
    product = Product("TEE-1", title="Tee", price=Decimal(5), version=2)
    change, problems = parse_row(SheetRow(2, {"sku": "TEE-1", "title": "", "images": [], "attributes": {}}))
    assert problems == [] and change == ProductChange("TEE-1", {})
    assert apply_change(product, change) is product


RICH = Product(
    seller_sku="TEE-RED-M", parent_sku="TEE", title="قميص قطن عضوي – Organic tee ✓",
    description='<p dir="rtl">כותנה <b>אורגנית</b></p><ul><li>soft &amp; light</li></ul><br>',
    short_description="Soft organic tee — 100 % cotton", price=Decimal("19.90"), currency="USD", enabled=False,
    category_id="601226", brand="Acme", weight=Decimal("0.250"), weight_unit="KILOGRAM", length=Decimal(30),
    width=Decimal("20.5"), height=Decimal(3), dimension_unit="CENTIMETER",
    identifiers={"UPC": "012345678905", "EAN": "0012345678905"},
    attributes={"Material": ["Cotton", "Elastane"], "100107": ["1001234"], "Pattern": ["Solid"]},
    sales_attributes={"Color": "أحمر", "Size": "M"},
    main_image=MediaRef("img/tee front.jpg"), images=[MediaRef("img/back.jpg"), MediaRef("https://cdn.example/s.jpg")],
    video=MediaRef("vid/tee.mp4"),
    documents=[DocumentRef("Children's Product Certificate", MediaRef("docs/cpc.pdf")),
               DocumentRef("Children's Product Certificate", MediaRef("docs/cpc-2.pdf")),
               DocumentRef("FCC", MediaRef("docs/fcc.pdf")),
               DocumentRef("Children's Product Certificate", MediaRef("docs/cpc-3.pdf"))],
    version=5,
)


def test_an_exported_row_loads_back_to_the_same_record() -> None:
    row = product_to_row(RICH)
    assert row["upc"] == "012345678905" and row["gtin"] == ""
    assert row["attributes"] == "Material=Cotton|Elastane; 100107=1001234; Pattern=Solid"
    assert row["documents"] == ("Children's Product Certificate=docs/cpc.pdf|docs/cpc-2.pdf; FCC=docs/fcc.pdf; "
                                "Children's Product Certificate=docs/cpc-3.pdf")
    change, problems = parse_row(SheetRow(2, {k: v for k, v in row.items() if v}))
    assert problems == [] and change is not None
    assert apply_change(RICH, change) is RICH  # nothing changed: not even the version
    assert apply_change(None, change) == Product(**{**RICH.__dict__, "version": 1})
    assert apply_change(Product("TEE-RED-M", title="old", identifiers={"ISBN": "9783161484100"}), change).title == RICH.title


@pytest.mark.parametrize("filename", ["export.xlsx", "export.csv", "export.json"])
def test_a_catalogue_round_trips_through_each_file_format(filename: str) -> None:
    products = [RICH, Product("TEE", title="Organic tee", enabled=True)]
    read = read_rows(write_rows([product_to_row(p) for p in products], filename), filename)
    assert read.problems == []
    changes = [parse_row(row) for row in read.rows]
    assert all(problems == [] for _, problems in changes)
    assert [apply_change(p, c) for p, (c, _) in zip(products, changes, strict=True) if c] == products
