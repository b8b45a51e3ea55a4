"""The product file as a seller fills it in (PRODUCT_FILE.md, R47): CSV, XLSX and JSON read the same way,
every problem is named with its row and column, nothing raises on a bad file."""

from __future__ import annotations

import io
import json
from datetime import datetime

import pytest
from openpyxl import Workbook, load_workbook

from libs.common.product_file import (
    COLUMNS,
    SheetProblem,
    SheetRow,
    media_paths,
    read_rows,
    write_rows,
)

RTL = "قميص قطن عضوي – כותנה"


def _xlsx(*rows: list[object], build: object = None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    if callable(build):
        build(sheet)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_csv_rows_are_numbered_as_the_seller_sees_them_with_trimmed_text_and_no_empty_cells() -> None:
    data = ("\ufeff SKU ,Title,price,upc\n"
            f"TEE-1,  {RTL}  ,19.90,012345678905\n"
            "\n"
            "TEE-2,,,\n").encode()
    read = read_rows(data, "products.CSV")
    assert read.problems == []
    assert read.columns == ["SKU", "Title", "price", "upc"]
    assert read.rows == [
        SheetRow(2, {"sku": "TEE-1", "title": RTL, "price": "19.90", "upc": "012345678905"}),
        SheetRow(4, {"sku": "TEE-2"}),
    ]


def test_csv_quoted_newlines_keep_one_row_number_per_record_and_long_fields_are_read() -> None:
    long = "x" * 300_000
    data = f'sku,description,title\nA,"line 1\nline 2",a\nB,{long},b\n'.encode()
    read = read_rows(data, "p.csv")
    assert [(row.number, row.cells["title"]) for row in read.rows] == [(2, "a"), (3, "b")]
    assert read.rows[0].cells["description"] == "line 1\nline 2"
    assert len(read.rows[1].cells["description"]) == 300_000


def test_semicolon_separated_csv_from_a_european_excel_is_read() -> None:
    read = read_rows(b"sku;title;attributes\nA;Tee;\"Material=Cotton; Pattern=Solid\"\n", "p.csv")
    assert read.rows == [SheetRow(2, {"sku": "A", "title": "Tee", "attributes": "Material=Cotton; Pattern=Solid"})]


def test_unknown_column_is_reported_by_name_with_a_suggestion_and_the_rows_still_load() -> None:
    read = read_rows(b"sku,tilte,colour\nA,Tee,red\n", "p.csv")
    assert read.rows == [SheetRow(2, {"sku": "A"})]
    assert [(p.row, p.column) for p in read.problems] == [(None, "tilte"), (None, "colour")]
    assert "did you mean title?" in read.problems[0].message


def test_missing_sku_column_is_a_whole_file_problem_and_gives_no_rows() -> None:
    read = read_rows(b"title,price\nTee,1\n", "p.csv")
    assert read.rows == []
    assert len(read.problems) == 1
    assert read.problems[0].row is None and "no sku column" in read.problems[0].message


def test_a_column_given_twice_refuses_the_file() -> None:
    read = read_rows(b"sku,Title,title\nA,x,y\n", "p.csv")
    assert read.rows == []
    assert "appears twice" in read.problems[0].message


def test_a_value_under_no_column_name_refuses_that_row_only() -> None:
    read = read_rows(b"sku,title\nA,Tee,oops\nB,Cap\n", "p.csv")
    assert read.rows == [SheetRow(3, {"sku": "B", "title": "Cap"})]
    assert [(p.row, p.column, p.value) for p in read.problems] == [(2, "C (no column name)", "oops")]


def test_non_utf8_csv_is_a_clear_problem() -> None:
    read = read_rows("sku,title\nA,Café\n".encode("cp1252"), "p.csv")
    assert read.rows == []
    assert read.problems[0].row is None and "not UTF-8" in read.problems[0].message


def test_other_extensions_are_refused_with_what_to_use() -> None:
    read = read_rows(b"whatever", "products.xls")
    assert read.rows == [] and ".xlsx" in read.problems[0].message


def test_xlsx_formula_cell_refuses_its_row_and_says_to_paste_the_value() -> None:
    data = _xlsx(["sku", "price"], ["A", "=10*2"], ["B", 5])
    read = read_rows(data, "p.xlsx")
    assert read.rows == [SheetRow(3, {"sku": "B", "price": "5"})]
    assert read.problems == [SheetProblem(2, "price", "formulas are not read; paste the value", "=10*2")]


def test_xlsx_merged_cells_name_the_range_and_refuse_every_row_they_touch() -> None:
    data = _xlsx(["sku", "title"], ["A", "Tee"], ["B", None], ["C", "Cap"],
                 build=lambda sheet: sheet.merge_cells("B2:B3"))
    read = read_rows(data, "p.xlsx")
    assert [row.number for row in read.rows] == [4]
    assert [(p.row, p.column) for p in read.problems] == [(2, "title"), (3, "title")]
    assert all("B2:B3" in p.message and "rows 2-3" in p.message for p in read.problems)


def test_xlsx_empty_rows_are_skipped_and_values_read_as_typed() -> None:
    def build(sheet: object) -> None:
        sheet["C5"].number_format = "000000000000"  # type: ignore[index]

    data = _xlsx(["SKU", "Price", "UPC", "Enabled", "Weight", "Brand"],
                 [None, None, None, None, None, None],
                 ["A", 12.0, "012345678905", True, 0.25, datetime(2024, 5, 1)],
                 [],
                 ["B", 19.9, 12345678905, False, 3, RTL],
                 build=build)
    read = read_rows(data, "p.xlsx")
    assert read.problems == []
    assert read.rows == [
        SheetRow(3, {"sku": "A", "price": "12", "upc": "012345678905", "enabled": "true", "weight": "0.25",
                     "brand": "2024-05-01"}),
        SheetRow(5, {"sku": "B", "price": "19.9", "upc": "012345678905", "enabled": "false", "weight": "3",
                     "brand": RTL}),
    ]


def test_xlsx_reads_the_first_sheet_and_needs_the_column_names_in_row_1() -> None:
    def build(sheet: object) -> None:
        sheet.parent.create_sheet("other", 0).append(["sku"])  # type: ignore[attr-defined]

    assert read_rows(_xlsx(["sku"], ["A"], build=build), "p.xlsx").rows == []
    read = read_rows(_xlsx([None], ["sku"]), "p.xlsx")
    assert read.rows == [] and "row 1" in read.problems[0].message


@pytest.mark.parametrize("data", [b"not a zip at all", _xlsx(["sku"], ["A"])[:200]])
def test_corrupt_xlsx_is_a_problem_not_an_exception(data: bytes) -> None:
    read = read_rows(data, "p.xlsx")
    assert read.rows == []
    assert read.problems[0].row is None and "not a readable .xlsx" in read.problems[0].message


def test_json_takes_lists_and_objects_for_list_columns_and_keeps_numbers_as_written() -> None:
    document = [
        {"SKU": "A", "price": 19.90, "category_id": 601226, "enabled": True, "images": ["img/a.jpg", " "],
         "attributes": {"Material": "Cotton", "Season": ["Summer", "Winter"]}, "title": RTL, "brand": None},
        {"sku": "B", "documents": {"CPC": ["docs/cpc.pdf"]}},
    ]
    data = json.dumps(document, ensure_ascii=False).replace("19.9", "19.90").encode()
    read = read_rows(data, "p.json")
    assert read.problems == []
    assert read.rows == [
        SheetRow(1, {"sku": "A", "price": "19.90", "category_id": "601226", "enabled": "true",
                     "images": ["img/a.jpg"], "attributes": {"Material": "Cotton", "Season": ["Summer", "Winter"]},
                     "title": RTL}),
        SheetRow(2, {"sku": "B", "documents": {"CPC": ["docs/cpc.pdf"]}}),
    ]


def test_json_problems_name_the_object_and_refuse_it() -> None:
    data = json.dumps([{"sku": "A", "images": [["nested"]]}, "B", {"sku": "C"}]).encode()
    read = read_rows(data, "p.json")
    assert read.rows == [SheetRow(3, {"sku": "C"})]
    assert [(p.row, p.column) for p in read.problems] == [(1, "images"), (2, None)]


@pytest.mark.parametrize("data", [b"{\"sku\": \"A\"}", b"[{\"sku\": ", b"[]"])
def test_json_that_is_not_a_list_of_objects_is_a_whole_file_problem(data: bytes) -> None:
    read = read_rows(data, "p.json")
    assert read.rows == [] and len(read.problems) == 1 and read.problems[0].row is None


def test_media_paths_are_the_local_files_as_written_not_urls_or_clears() -> None:
    rows = read_rows(
        b"sku,main_image,images,video,documents\n"
        b"A,img/a.jpg,img/b.jpg|https://cdn.example/c.jpg| img/d.jpg ,-,"
        b"\"Children's Product Certificate=docs/cpc.pdf|docs/cpc2.pdf; FCC=http://x.example/fcc.pdf\"\n"
        b"B,HTTPS://cdn.example/a.jpg,,vid/b.mp4,\n", "p.csv").rows
    json_rows = [SheetRow(1, {"sku": "C", "images": ["img/j.jpg"], "documents": {"Test report": ["docs/t.pdf"]}})]
    assert media_paths([*rows, *json_rows]) == {
        "img/a.jpg", "img/b.jpg", "img/d.jpg", "docs/cpc.pdf", "docs/cpc2.pdf", "vid/b.mp4", "img/j.jpg",
        "docs/t.pdf",
    }


EXPORT = [
    {"sku": "TEE", "title": RTL, "upc": "012345678905", "description": "<p>a</p>\n<p>b, \"c\"</p>",
     "price": "19.90", "attributes": "Material=Cotton; Season=Summer|Winter"},
    {"sku": "=1+1", "title": "-", "category_id": "0601226"},
]


@pytest.mark.parametrize("filename", ["out.csv", "out.xlsx", "out.json"])
def test_written_files_read_back_to_the_same_rows(filename: str) -> None:
    read = read_rows(write_rows(EXPORT, filename), filename)
    assert read.problems == []
    assert read.columns == list(COLUMNS)
    assert [row.cells for row in read.rows] == EXPORT


def test_written_xlsx_has_a_bold_frozen_filtered_header_and_text_cells() -> None:
    sheet = load_workbook(io.BytesIO(write_rows(EXPORT, "out.xlsx"))).worksheets[0]
    assert [cell.value for cell in sheet[1]] == list(COLUMNS)
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:Z3"
    upc = sheet.cell(2, COLUMNS.index("upc") + 1)
    assert (upc.value, upc.data_type, upc.number_format) == ("012345678905", "s", "@")
    assert sheet.cell(3, 1).data_type == "s"  # "=1+1" stays text, not a formula


def test_written_csv_is_utf8_with_the_columns_as_header() -> None:
    data = write_rows(EXPORT, "out.csv")
    assert data.decode("utf-8-sig").splitlines()[0] == ",".join(COLUMNS)
    assert RTL.encode() in data


def test_write_refuses_unknown_columns_cells_too_long_for_excel_and_unknown_formats() -> None:
    with pytest.raises(ValueError, match="colour"):
        write_rows([{"sku": "A", "colour": "red"}], "out.csv")
    with pytest.raises(ValueError, match="row 2, column description"):
        write_rows([{"sku": "A", "description": "x" * 40_000}], "out.xlsx")
    assert len(write_rows([{"sku": "A", "description": "x" * 40_000}], "out.csv")) > 40_000
    with pytest.raises(ValueError, match="csv"):
        write_rows(EXPORT, "out.txt")


def test_a_problem_reads_row_column_what_and_value() -> None:
    assert str(SheetProblem(3, "price", "must be 0 or more", "-1")) == "row 3, column price: must be 0 or more (-1)"
    assert str(SheetProblem(None, "tilte", "unknown column")) == "column tilte: unknown column"
    assert str(SheetProblem(None, None, "the file is empty")) == "the file is empty"
