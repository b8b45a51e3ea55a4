"""Product records (R47) against real Postgres: a product file loads its good rows and reports each bad
one with its row, column and reason; media is stored once by content; a re-run changes nothing; the
export loads back unchanged; PUT and PATCH edit one record."""

from __future__ import annotations

import io
from typing import Any

import openpyxl

from tests.integration.catalog.conftest import Harness
from tests.support.images import image_bytes
from tests.support.stack import sandbox

CSV_HEADER = ("sku,title,description,price,currency,enabled,category_id,weight,weight_unit,length,width,height,"
              "dimension_unit,upc,main_image,images,attributes\n")


async def load(h: Harness, name: str, data: bytes, media: dict[str, bytes] | None = None) -> dict[str, Any]:
    files: list[tuple[str, tuple[str, bytes]]] = [("file", (name, data))]
    files += [("media_files", (path, body)) for path, body in (media or {}).items()]
    r = await h.http.post(f"{h.url}/products/load", files=files)
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


async def record(h: Harness, sku: str) -> dict[str, Any]:
    r = await h.http.get(f"{h.url}/products/{sku}")
    assert r.status_code == 200, r.text
    return r.json()["record"]  # type: ignore[no-any-return]


async def test_a_csv_with_bad_rows_loads_the_good_ones_and_a_rerun_changes_nothing(harness: Harness, unique: str) -> None:
    h = harness
    good, other, bad = f"TEE-{unique}", f"MUG-{unique}", f"BAD-{unique}"
    csv = (CSV_HEADER
           + f'{good},Organic tee ✓,<p>Soft</p><script>x()</script>,19.90,usd,yes,601226,0.25,KILOGRAM,30,20,3,'
             f'CENTIMETER,012345678905,img/front.jpg,img/back.jpg|img/front.jpg,"Material=Cotton; Pattern=Solid"\n'
           + f"{bad},Broken,desc,abc,USD,maybe,601226,-3,KILOGRAM,30,20,3,CENTIMETER,12AB,img/missing.jpg,,Material\n"
           + f"{other},مج القهوة,desc,7.50,EUR,true,601226,0.4,KILOGRAM,10,10,12,CENTIMETER,,img/front.jpg,,\n")
    front, back = image_bytes(800, 800), image_bytes(900, 900, "PNG")
    report = await load(h, "products.csv", csv.encode(), {"img/front.jpg": front, "img/back.jpg": back})
    assert (report["rows"], report["created"], report["refused"]) == (3, 2, 1), report
    columns = {p["column"] for p in report["problems"] if p["row"] == 3}
    assert {"price", "enabled", "weight", "upc", "attributes"} <= columns, report["problems"]
    assert all(p["row"] == 3 for p in report["problems"]), report["problems"]

    tee = await record(h, good)
    assert tee["title"] == "Organic tee ✓" and tee["price"] == "19.90" and tee["currency"] == "USD"
    assert "<script>" not in tee["description"] and "Soft" in tee["description"]
    assert tee["identifiers"] == {"UPC": "012345678905"}
    assert tee["attributes"] == {"Material": ["Cotton"], "Pattern": ["Solid"]}
    assert tee["main_image"]["sha256"] == tee["images"][1]["sha256"]  # one blob, used twice
    assert (await record(h, other))["title"] == "مج القهوة"
    r = await h.http.get(f"{h.url}/products/{bad}")
    assert r.status_code == 404  # nothing of the bad row was loaded
    stored = await h.http.get(f"{h.url}/media/{tee['main_image']['sha256']}")
    assert stored.status_code == 200 and stored.content == front

    again = await load(h, "products.csv", csv.encode(), {"img/front.jpg": front, "img/back.jpg": back})
    assert (again["created"], again["updated"], again["unchanged"], again["refused"]) == (0, 0, 2, 1), again
    assert (await record(h, good))["version"] == tee["version"]


async def test_export_loads_back_unchanged_and_opens_as_a_spreadsheet(harness: Harness, unique: str) -> None:
    h = harness
    sku = f"RT-{unique}"
    r = await h.http.put(f"{h.url}/products/{sku}", json={
        "title": "Round trip", "price": "5.00", "currency": "USD", "ean": "4006381333931",
        "attributes": {"Material": ["Cotton", "Linen"]}, "sales_attributes": {"Color": "Red"}})
    assert r.status_code == 200, r.text
    exported = await h.http.get(f"{h.url}/products-export", params={"filename": "all.xlsx"})
    assert exported.status_code == 200, exported.text
    sheet = openpyxl.load_workbook(io.BytesIO(exported.content)).active
    assert sheet is not None
    header = [c.value for c in sheet[1]]
    assert header[0] == "sku" and "sales_attributes" in header
    row = next(r for r in sheet.iter_rows(min_row=2, values_only=True) if r[0] == sku)
    assert row[header.index("ean")] == "4006381333931"
    report = await load(h, "all.xlsx", exported.content)
    assert report["refused"] == 0 and report["created"] == 0 and report["updated"] == 0, report


async def test_patch_changes_only_the_fields_given_and_null_clears(harness: Harness, unique: str) -> None:
    h = harness
    sku = f"PATCH-{unique}"
    assert (await h.http.put(f"{h.url}/products/{sku}", json={"title": "A", "price": "1.00"})).status_code == 200
    r = await h.http.patch(f"{h.url}/products/{sku}", json={"price": "2.50", "title": None})
    assert r.status_code == 200, r.text
    rec = r.json()["record"]
    assert rec["price"] == "2.50" and rec["title"] is None
    r = await h.http.patch(f"{h.url}/products/{sku}", json={"price": "cheap", "colour": "red"})
    assert r.status_code == 422 and "colour" in r.text
    r = await h.http.patch(f"{h.url}/products/{sku}", json={"price": "cheap"})
    assert r.status_code == 422 and "price" in r.text
    r = await h.http.patch(f"{h.url}/products/{sku}", json={"main_image": f"{h.sandbox_url}/nothing-here.jpg"})
    assert r.status_code == 422 and "404" in r.text


async def test_bad_files_and_urls_get_a_message_per_row_and_column(harness: Harness, unique: str) -> None:
    """A corrupt image, bytes that are no video, a 1 MB description, a URL answering 404 and one that
    times out are refused row by row with the column and the reason; a PNG named .jpg and a 599×600 image
    load (the file type comes from the bytes; size rules are the readiness check's, R33)."""
    h = harness
    slow = f"/slow-{unique}.jpg"
    await sandbox(h.http, "POST", f"{h.sandbox_url}/sandbox/faults",
                  json={"kind": "latency", "latency_ms": 3000, "path": slow, "duration_s": 30})
    long_description = "x" * 1_000_001
    csv = ("sku,title,description,main_image,video\n"
           f"OK-PNG-{unique},PNG named jpg,d,img/really-png.jpg,\n"
           f"OK-SMALL-{unique},Small,d,img/small.jpg,\n"
           f"CORRUPT-{unique},Corrupt,d,img/corrupt.jpg,\n"
           f"NOVIDEO-{unique},No video,d,img/really-png.jpg,vid/clip.mp4\n"
           f"LONG-{unique},Long,{long_description},img/small.jpg,\n"
           f"GONE-{unique},Gone,d,{h.sandbox_url}/missing-{unique}.jpg,\n"
           f"SLOW-{unique},Slow,d,{h.sandbox_url}{slow},\n")
    media = {"img/really-png.jpg": image_bytes(800, 800, "PNG"), "img/small.jpg": image_bytes(599, 600),
             "img/corrupt.jpg": b"\xff\xd8\xff" + b"garbage" * 50, "vid/clip.mp4": b"not a video at all"}
    try:
        report = await load(h, "bad.csv", csv.encode(), media)
    finally:
        await h.http.delete(f"{h.sandbox_url}/sandbox/faults")
    assert (report["created"], report["refused"]) == (2, 5), report
    by_row = {(p["row"], p["column"]): p["message"] for p in report["problems"]}
    assert "not a usable image" in by_row[(4, "main_image")]
    assert "not a video" in by_row[(5, "video")]
    assert "1,000,001" in by_row[(6, "description")] or "1000001" in by_row[(6, "description")]
    assert "404" in by_row[(7, "main_image")]
    assert "did not answer" in by_row[(8, "main_image")]
    png = await record(h, f"OK-PNG-{unique}")
    shown = await h.http.get(f"{h.url}/media/{png['main_image']['sha256']}")
    assert shown.headers["content-type"] == "image/png"


async def test_an_xlsx_with_a_formula_and_empty_rows_loads_the_other_rows(harness: Harness, unique: str) -> None:
    h = harness
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["SKU", "Title", "Price"])
    sheet.append([f"X1-{unique}", "First", "1.50"])
    sheet.append([])
    sheet.append([f"X2-{unique}", "Second", "=1+1"])
    sheet.append([f"X3-{unique}", "Third", "3"])
    sheet.append([f"X4-{unique}", "Fourth", "4"])
    sheet.delete_rows(sheet.max_row)  # leaves an empty row behind in the used range
    formula_row = next(c.row for c in sheet["A"] if c.value == f"X2-{unique}")
    out = io.BytesIO()
    book.save(out)
    report = await load(h, "book.xlsx", out.getvalue())
    assert (report["created"], report["refused"]) == (2, 1), report
    [problem] = report["problems"]
    assert problem["row"] == formula_row and problem["column"] == "price" and "formula" in problem["message"]


async def test_a_shop_may_need_another_category_than_the_product_s_own(harness: Harness, unique: str) -> None:
    h = harness
    sku = f"SHOPCAT-{unique}"
    r = await h.http.put(f"{h.url}/products/{sku}", json={"category_id": "601226",
                                                          "shop_categories": {"7400001": "1000123"}})
    assert r.status_code == 200, r.text
    assert r.json()["record"]["shop_categories"] == {"7400001": "1000123"}
    r = await h.http.patch(f"{h.url}/products/{sku}", json={"title": "kept"})
    assert r.json()["record"]["shop_categories"] == {"7400001": "1000123"}
    r = await h.http.patch(f"{h.url}/products/{sku}", json={"shop_categories": {"7400001": "tees"}})
    assert r.status_code == 422 and "shop_categories" in r.text


async def test_a_load_may_carry_more_than_a_thousand_files(harness: Harness, unique: str) -> None:
    """A catalogue's images travel with its product file: 1,001 attached files load (the web framework's
    own default stops at 1,000)."""
    h = harness
    files = {f"img/{i}.jpg": f"bytes {i}".encode() for i in range(1000)}
    files["img/front.jpg"] = image_bytes(800, 800)
    csv = f"sku,title,main_image\nMANY-{unique},Many files,img/front.jpg\n"
    report = await load(h, "many.csv", csv.encode(), files)
    assert (report["created"], report["refused"]) == (1, 0), report
