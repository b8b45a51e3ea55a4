"""Writing a table as a spreadsheet a seller opens: CSV (UTF-8 with a BOM, so Excel reads accents) or
XLSX (header row bold and frozen, filterable; every cell text, never a number or a formula, so ids and
identifiers keep leading zeros and a value starting with "=" stays a value). Used by every export (the
category tree, the product file), so the CLI and the console get the same file."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

FORMATS = ("csv", "xlsx")
#: Characters Excel keeps in one cell.
XLSX_CELL_LIMIT = 32_767


class UnsupportedFormat(ValueError):
    pass


def format_of(filename: str) -> str:
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else filename.lower()
    if suffix not in FORMATS:
        raise UnsupportedFormat(f"cannot write {filename!r}: use a .csv or .xlsx file name")
    return suffix


def write_table(header: Sequence[str], rows: Sequence[Mapping[str, object]], fmt: str, *,
                sheet_title: str = "Sheet1") -> bytes:
    table = [["" if row.get(h) is None else str(row.get(h)) for h in header] for row in rows]
    if fmt == "csv":
        out = io.StringIO(newline="")
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(table)
        return ("\ufeff" + out.getvalue()).encode("utf-8")
    if fmt != "xlsx":
        raise UnsupportedFormat(f"unknown format {fmt!r}; use csv or xlsx")
    return _xlsx(header, table, sheet_title)


def _xlsx(header: Sequence[str], table: list[list[str]], title: str) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title[:31]
    sheet.append(list(header))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for number, values in enumerate(table, start=2):
        for position, text in enumerate(values):
            if len(text) > XLSX_CELL_LIMIT:
                raise ValueError(f"row {number}, column {header[position]}: {len(text):,} characters do not "
                                 f"fit an Excel cell ({XLSX_CELL_LIMIT:,}); export as .csv or .json")
            if text:
                cell = sheet.cell(number, position + 1, ILLEGAL_CHARACTERS_RE.sub("", text))
                cell.data_type = "s"  # text, never a number or a formula
                cell.number_format = "@"
    for position, name in enumerate(header, start=1):
        column = sheet.column_dimensions[get_column_letter(position)]
        column.number_format = "@"  # what a seller types in new rows stays text too
        width = max([len(name), *(len(values[position - 1]) for values in table[:500])])
        column.width = min(60, max(8, width + 2))
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{len(table) + 1}"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
