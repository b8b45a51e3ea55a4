"""The product file a seller fills in (PRODUCT_FILE.md, R47): CSV, XLSX or JSON, read and written as bytes.

Shared by the ``ttshop`` CLI and the catalog service. Reading gives every row as the seller wrote it (text,
and for JSON the list-valued columns as lists/objects) plus every problem at once; what a value *means* is
``services.catalog.products.sheet``'s job. A row this module finds a problem in (a formula, merged cells, a
value under no column) is left out of ``rows``, so it is refused whole; the other rows still load.
"""

from __future__ import annotations

import csv
import difflib
import io
import json
import re
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any, Final

from libs.common.limits import printable
from libs.common.spreadsheet import write_table

COLUMNS: Final = (
    "sku", "parent_sku", "title", "description", "short_description", "price", "currency", "enabled",
    "category_id", "brand", "weight", "weight_unit", "length", "width", "height", "dimension_unit",
    "upc", "ean", "gtin", "isbn", "main_image", "images", "video", "attributes", "sales_attributes", "documents",
)
FORMATS: Final = (".csv", ".xlsx", ".json")
CLEAR_VALUE: Final = "-"  # the single value that clears a field



@dataclass(frozen=True)
class SheetProblem:
    """What is wrong, where: ``row`` None is the whole file (or a column of it)."""

    row: int | None
    column: str | None
    message: str
    value: str | None = None

    def __str__(self) -> str:
        where = ", ".join(([f"row {self.row}"] if self.row else []) + ([f"column {self.column}"] if self.column else []))
        shown = f" ({self.value})" if self.value is not None else ""
        return f"{where}: {self.message}{shown}" if where else f"{self.message}{shown}"


@dataclass(frozen=True)
class SheetRow:
    """One data row: ``number`` as the seller sees it (the header is row 1; for JSON the object's 1-based
    index); ``cells`` by column name, only the non-empty ones (absent means "unchanged"). A value is a
    trimmed string, or in JSON a list of strings or an object of strings / lists of strings."""

    number: int
    cells: dict[str, Any]


@dataclass(frozen=True)
class SheetRead:
    rows: list[SheetRow] = field(default_factory=list)
    problems: list[SheetProblem] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)  # the header as found


class _FileError(Exception):
    """The whole file cannot be read."""


@dataclass
class _Line:
    number: int
    values: list[Any]
    problems: list[tuple[int | None, str, str | None]] = field(default_factory=list)  # (position, what, value)


def shown(value: object, limit: int = 80) -> str:
    """A value as quoted in a problem: text as is (a NUL or lone surrogate spelled as its escape), lists/objects
    as JSON, cut to ``limit`` characters."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    text = printable(text[: limit * 2])
    return text if len(text) <= limit else text[: limit - 1] + "…"


def is_url(source: str) -> bool:
    return source.lower().startswith(("http://", "https://"))


def split_values(text: str) -> list[str]:
    """``a|b|c`` -> the non-empty parts, trimmed."""
    return [part.strip() for part in text.split("|") if part.strip()]


def split_pairs(text: str) -> tuple[list[tuple[str, str]], list[str]]:
    """``Name=Value; Name=V1|V2`` -> the (name, value) pairs, trimmed, and the fragments that are no pair."""
    pairs: list[tuple[str, str]] = []
    bad: list[str] = []
    for fragment in filter(None, (f.strip() for f in text.split(";"))):
        name, equals, value = fragment.partition("=")
        if equals and name.strip():
            pairs.append((name.strip(), value.strip()))
        else:
            bad.append(fragment)
    return pairs, bad


def _extension(filename: str) -> str:
    return "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""


def read_rows(data: bytes, filename: str) -> SheetRead:
    """The rows of a product file; the format is told by ``filename``'s extension. Never raises."""
    extension = _extension(filename)
    readers = {".csv": _csv_table, ".xlsx": _xlsx_table, ".json": _json_table}
    if extension not in readers:
        hint = "; save it from Excel as .xlsx" if extension == ".xls" else ""
        return SheetRead(problems=[SheetProblem(
            None, None, f"{filename!r} is not a product file: use .csv, .xlsx or .json{hint}", None)])
    try:
        header, lines = readers[extension](data)
    except _FileError as exc:
        return SheetRead(problems=[SheetProblem(None, None, str(exc), None)])
    return _assemble(header, lines)


def _assemble(header: list[str], lines: list[_Line]) -> SheetRead:
    columns = [name.strip() for name in header]
    problems: list[SheetProblem] = []
    position_of: dict[str, int] = {}
    twice = False
    for position, name in enumerate(columns):
        key = name.lower()
        if not key:
            continue
        if key not in COLUMNS:
            close = difflib.get_close_matches(key, COLUMNS, n=1)
            hint = f"; did you mean {close[0]}?" if close else f"; the columns are {', '.join(COLUMNS)}"
            problems.append(SheetProblem(None, name, f"unknown column, not read{hint}", None))
        elif key in position_of:
            problems.append(SheetProblem(None, name, "the column appears twice; keep one", None))
            twice = True
        else:
            position_of[key] = position
    if "sku" not in position_of:
        problems.append(SheetProblem(None, "sku", "there is no sku column: the first row must name the "
                                     "columns, sku among them (see PRODUCT_FILE.md)", None))
    if "sku" not in position_of or twice:
        return SheetRead(problems=problems, columns=columns)
    key_at = {position: key for key, position in position_of.items()}

    def label(position: int | None) -> str | None:
        if position is None:
            return None
        named = key_at.get(position) or (columns[position] if position < len(columns) else "")
        return named or f"{_letter(position)} (no column name)"

    rows: list[SheetRow] = []
    for line in lines:
        row_problems = [SheetProblem(line.number, label(pos), what, value) for pos, what, value in line.problems]
        cells = {key_at[pos]: value for pos, value in enumerate(line.values) if value is not None and pos in key_at}
        row_problems += [SheetProblem(line.number, label(pos), "a value under no column name; name the column or "
                                      "delete the value", shown(value)) for pos, value in enumerate(line.values)
                         if value is not None and (pos >= len(columns) or not columns[pos])]
        problems.extend(row_problems)
        if cells and not row_problems:
            rows.append(SheetRow(line.number, cells))
    return SheetRead(rows=rows, problems=problems, columns=columns)


def _letter(position: int) -> str:
    """The spreadsheet letter of a 0-based column position (0 -> A, 26 -> AA)."""
    return (_letter(position // 26 - 1) if position >= 26 else "") + chr(65 + position % 26)


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _FileError(f"the file is not UTF-8 text (byte {exc.start} is {data[exc.start]:#04x}); "
                         "save it again as UTF-8 (in Excel: 'CSV UTF-8')") from None


def _csv_table(data: bytes) -> tuple[list[str], list[_Line]]:
    text = _decode(data)
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count)  # Excel writes ';' in some locales; a header has no quotes
    if csv.field_size_limit() <= len(text):  # a long description is the sheet rules' to refuse, with its length
        csv.field_size_limit(len(text) + 1)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        records = list(reader)
    except csv.Error as exc:
        raise _FileError(f"line {reader.line_num} is not valid CSV ({exc})") from None
    if not records:
        raise _FileError("the file is empty: the first row must name the columns")
    lines = [_Line(number, [value.strip() or None for value in record])
             for number, record in enumerate(records[1:], start=2)]
    return records[0], lines


def _xlsx_table(data: bytes) -> tuple[list[str], list[_Line]]:
    from openpyxl import load_workbook

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about extensions it does not read
            sheet = load_workbook(io.BytesIO(data), read_only=False, data_only=False).worksheets[0]
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds on a damaged file; one message
        raise _FileError(f"the file is not a readable .xlsx workbook ({type(exc).__name__}); "
                         "open it in Excel and save it again as .xlsx") from None
    grid = list(sheet.iter_rows(min_row=1, min_col=1))
    if not grid or all(cell.value is None for cell in grid[0]):
        raise _FileError("row 1 of the first sheet is empty: it must name the columns")
    merged_rows: dict[int, list[Any]] = {}
    for merged in sheet.merged_cells.ranges:
        if merged.min_row == 1:
            raise _FileError(f"the column names in {merged.coord} are merged cells; unmerge them")
        for number in range(merged.min_row, merged.max_row + 1):
            merged_rows.setdefault(number, []).append(merged)
    header = ["" if cell.value is None else str(cell.value) for cell in grid[0]]
    lines = []
    for cells in grid[1:]:
        line = _Line(cells[0].row, [])
        for position, cell in enumerate(cells):
            refused = _REFUSED_TYPES.get(cell.data_type)
            if refused:
                line.problems.append((position, refused, shown(str(getattr(cell.value, "text", cell.value)))))
            line.values.append(None if refused else _cell_text(cell.value, cell.number_format))
        for merged in merged_rows.get(line.number, []):
            top = sheet.cell(merged.min_row, merged.min_col).value
            what = f"cells {merged.coord} are merged (rows {merged.min_row}-{merged.max_row}); unmerge them"
            line.problems.append((merged.min_col - 1, what, None if top is None else shown(str(top))))
        lines.append(line)
    return header, lines


_REFUSED_TYPES: Final = {"f": "formulas are not read; paste the value", "e": "the cell shows an error"}


def _cell_text(value: object, number_format: str) -> str | None:
    """The text a seller typed into a cell Excel stored as a number, date or boolean."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        text = format(Decimal(repr(value)).normalize(), "f")
        if re.fullmatch(r"0+", number_format or "") and re.fullmatch(r"[0-9]+", text):
            text = text.zfill(len(number_format))  # a code shown with its leading zeros ("000000000000")
        return text
    if isinstance(value, datetime | date | time):  # a date typed without a time reads back as the date
        return (value.date() if isinstance(value, datetime) and value.time() == time(0) else value).isoformat()
    return str(value).strip() or None


def _json_table(data: bytes) -> tuple[list[str], list[_Line]]:
    try:  # numbers kept as the text written: 19.90 stays "19.90"
        document = json.loads(_decode(data), parse_float=str, parse_int=str, parse_constant=str)
    except json.JSONDecodeError as exc:
        raise _FileError(f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}") from None
    if not isinstance(document, list) or not document:
        raise _FileError('a product JSON file is a non-empty list of objects: [{"sku": "…", …}, …]')
    header: list[str] = []
    position_of: dict[str, int] = {}
    for item in document:
        for key in item if isinstance(item, dict) else ():
            if key.strip().lower() not in position_of:
                position_of[key.strip().lower()] = len(header)
                header.append(key)
    lines = []
    for number, item in enumerate(document, start=1):
        line = _Line(number, [None] * len(header))
        if not isinstance(item, dict):
            line.problems.append((None, "is not an object with the columns as keys", shown(item)))
        for key, raw in (item.items() if isinstance(item, dict) else ()):
            position = position_of[key.strip().lower()]
            try:
                value = _json_value(raw)
            except TypeError as exc:
                line.problems.append((position, str(exc), shown(raw)))
                continue
            if value is not None and line.values[position] is not None:
                line.problems.append((position, "the column is given twice", shown(raw)))
            line.values[position] = line.values[position] or value
        lines.append(line)
    return header, lines


def _json_value(raw: object) -> Any:
    """Cell text: a string trimmed (numbers are text already), a list of those, or an object of those and lists
    of those; None when empty."""
    if isinstance(raw, list):
        return [item for item in map(_json_scalar, raw) if item] or None
    if isinstance(raw, dict):
        return {key.strip(): [s for s in map(_json_scalar, v) if s] if isinstance(v, list) else _json_scalar(v)
                for key, v in raw.items()} or None
    return _json_scalar(raw) or None


def _json_scalar(raw: object) -> str:
    if isinstance(raw, list | dict):
        raise TypeError("lists and objects inside lists or objects are not read")
    if isinstance(raw, bool):
        return "true" if raw else "false"
    return raw.strip() if isinstance(raw, str) else ""


def media_paths(rows: Iterable[SheetRow]) -> set[str]:
    """Every local file (not an http(s) URL) the rows point at, as written; the CLI sends these along."""
    found: list[str] = []
    for row in rows:
        cells = row.cells
        found += [v for v in (cells.get("main_image"), cells.get("video")) if isinstance(v, str)]
        images = cells.get("images")
        found += split_values(images) if isinstance(images, str) else list(images or [])
        documents = cells.get("documents")
        if isinstance(documents, str):
            documents = dict(split_pairs(documents)[0])
        for paths in (documents or {}).values() if isinstance(documents, dict) else ():
            found += split_values(paths) if isinstance(paths, str) else paths
    return {path for path in found if path and path != CLEAR_VALUE and not is_url(path)}


def write_rows(rows: Sequence[Mapping[str, str]], filename: str) -> bytes:
    """A product file of ``rows`` (column -> text, missing columns empty) in the format of ``filename``."""
    unknown = sorted({key for row in rows for key in row} - set(COLUMNS))
    if unknown:
        raise ValueError(f"not product file columns: {', '.join(unknown)}")
    extension = _extension(filename)
    if extension == ".json":
        table = [[row.get(column, "") for column in COLUMNS] for row in rows]
        return json.dumps([dict(zip(COLUMNS, values)) for values in table], ensure_ascii=False,
                          indent=2).encode("utf-8")
    if extension in (".csv", ".xlsx"):
        return write_table(COLUMNS, rows, extension[1:], sheet_title="products")
    raise ValueError(f"{filename!r}: a product file is .csv, .xlsx or .json")
