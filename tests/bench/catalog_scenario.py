"""Catalog scenario of ``make bench``: load a 10,000-row XLSX product file through `ttshop catalog products
upsert` (rows/s) and check the whole catalogue's readiness with `ttshop catalog products check --all`
(products/s), on the stack as processes. Raw baseline in the same run: openpyxl alone reading the same
file (what any loader pays before doing anything with a row)."""

from __future__ import annotations

import io
import json
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import openpyxl

from tests.support.devstack import Stack
from tests.support.images import image_bytes
from tests.support.shops import listing_shop, upc

COLUMNS = ("sku", "parent_sku", "title", "description", "price", "currency", "enabled", "category_id", "weight",
           "weight_unit", "length", "width", "height", "dimension_unit", "upc", "main_image", "images", "attributes")


@dataclass
class CatalogRun:
    rows: int
    file_bytes: int = 0
    openpyxl_read_s: float = 0.0
    upsert_s: float = 0.0
    rerun_s: float = 0.0
    check_s: float = 0.0
    created: int = 0
    unchanged_on_rerun: int = 0
    refused: int = 0
    ready: int = 0
    not_ready: int = 0
    setup: dict[str, float] = field(default_factory=dict)
    shop_id: str = ""  # the shop whose readiness was checked (the console scenario lists it)

    @property
    def ok(self) -> bool:
        return self.created == self.rows and self.unchanged_on_rerun == self.rows and self.refused == 0



def product_file(folder: Path, rows: int, category_id: str, attributes: str) -> tuple[Path, bytes]:
    """``products.xlsx`` of ``rows`` bench products in ``folder``, with the 2 images every row shares
    (``img/``); answers its path and bytes."""
    (folder / "img").mkdir(exist_ok=True)
    (folder / "img" / "front.jpg").write_bytes(image_bytes(800, 800))
    (folder / "img" / "back.jpg").write_bytes(image_bytes(900, 900, "PNG"))
    data = _workbook(rows, category_id, attributes)
    path = folder / "products.xlsx"
    path.write_bytes(data)
    return path, data


def _workbook(rows: int, category_id: str, attributes: str) -> bytes:
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("products")
    sheet.append(list(COLUMNS))
    for i in range(rows):
        ready = i % 4 != 0  # a quarter lack a price: the check has something to report
        sheet.append([f"BENCH-{i:05d}", "", f"Bench tee {i}", f"<p>Soft organic tee number {i}</p>",
                      "19.90" if ready else "", "USD", "true", category_id, "0.25", "KILOGRAM", "30", "20", "3",
                      "CENTIMETER", upc(10_000_000 + i), "img/front.jpg", "img/back.jpg", attributes])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def run(stack: Stack, rows: int, *, on_measure_start: Callable[[], None] = lambda: None,
              on_measure_end: Callable[[], None] = lambda: None) -> CatalogRun:
    result = CatalogRun(rows)
    t = time.monotonic()
    async with httpx.AsyncClient(timeout=60) as http:
        shop_id, category_id, required = await listing_shop(stack, http)
    result.shop_id = shop_id
    result.setup["shop, categories, attributes (CLI)"] = time.monotonic() - t

    path, data = product_file(Path(tempfile.mkdtemp(prefix="ttshop-bench-catalog-")), rows, category_id, required)
    result.file_bytes = len(data)

    t = time.monotonic()
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    sum(1 for _ in sheet.iter_rows(values_only=True))
    result.openpyxl_read_s = time.monotonic() - t

    on_measure_start()
    t = time.monotonic()
    first = json.loads(stack.ttshop("--json", "catalog", "products", "upsert", str(path), timeout=1800).stdout)
    result.upsert_s = time.monotonic() - t
    result.created, result.refused = first["created"], first["refused"]
    t = time.monotonic()
    again = json.loads(stack.ttshop("--json", "catalog", "products", "upsert", str(path), timeout=1800).stdout)
    result.rerun_s = time.monotonic() - t
    on_measure_end()
    result.unchanged_on_rerun = again["unchanged"]

    t = time.monotonic()
    summary = json.loads(stack.ttshop("--json", "catalog", "products", "check", "--shop", shop_id, "--all",
                                      timeout=1800).stdout)
    result.check_s = time.monotonic() - t
    result.ready, result.not_ready = summary["ready"], summary["not_ready"]
    return result
