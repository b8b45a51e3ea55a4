"""`ttshop catalog products upsert|check`, `categories export`, `attributes download` and `jobs show` of a
catalog job, against a fake catalog API (R30, R31, R32, R47)."""

from __future__ import annotations

from pathlib import Path

import httpx

from .conftest import FakeApi, flat, invoke


def test_upsert_sends_the_file_and_the_images_its_rows_name_and_reports_bad_rows(tmp_path: Path) -> None:
    (tmp_path / "img").mkdir()
    (tmp_path / "img" / "front.jpg").write_bytes(b"jpeg bytes")
    sheet = tmp_path / "products.csv"
    sheet.write_text("sku,title,main_image,images\nA,Tee,img/front.jpg,https://cdn.example/x.jpg|img/absent.jpg\n")
    body = {"rows": 2, "created": 1, "updated": 0, "unchanged": 0, "refused": 1, "became_ready": [],
            "problems": [{"row": 3, "column": "price", "message": "not a number", "value": "abc"}]}
    api = FakeApi(lambda r: httpx.Response(200, json=body))
    result = invoke(["catalog", "products", "upsert", str(sheet)], api)
    assert result.exit_code == 1, result.output  # a refused row is a failure the seller must see
    [request] = api.requests
    assert (request.method, request.url.path) == ("POST", "/products/load")
    content = request.content
    assert b'filename="products.csv"' in content and b'filename="img/front.jpg"' in content
    assert b"jpeg bytes" in content and b"absent.jpg\"" not in content and b"cdn.example/x.jpg\"" not in content
    out = flat(result.stdout)
    assert "1 created" in out and "1 refused" in out and "row 3, column price: not a number (abc)" in out


def test_check_lists_every_problem_with_rule_and_fix_and_exits_1() -> None:
    body = {"seller_sku": "A", "shop_id": "S1", "ready": False, "identifier": None, "problems": [
        {"rule": "R32", "code": "price_missing", "field": "price", "message": "no website price", "fix": "set price",
         "value": None, "child_sku": None},
        {"rule": "R33", "code": "image_not_square", "field": "main_image", "message": "1200×800 is not 1:1",
         "fix": "crop it square", "value": "img/a.jpg", "child_sku": None}]}
    api = FakeApi(lambda r: httpx.Response(200, json=body))
    result = invoke(["catalog", "products", "check", "A", "--shop", "S1"], api)
    assert result.exit_code == 1
    assert api.requests[0].url.path == "/products/A/check" and api.requests[0].url.params["shop"] == "S1"
    out = flat(result.stdout)
    assert "2 problem(s)" in out and "R32 price no website price" in out and "R33 main_image" in out
    assert "crop it square" in out


def test_check_needs_a_shop_and_either_a_sku_or_all() -> None:
    assert "--shop" in flat(invoke(["catalog", "products", "check", "A"], FakeApi(lambda r: httpx.Response(500))).stderr)
    both = invoke(["catalog", "products", "check", "A", "--shop", "S1", "--all"], FakeApi(lambda r: httpx.Response(500)))
    assert both.exit_code == 2 and "not both" in flat(both.stderr)  # usage


def test_categories_export_writes_what_the_service_sends(tmp_path: Path) -> None:
    api = FakeApi(lambda r: httpx.Response(200, content=b"PK\x03\x04xlsx"))
    out = tmp_path / "cats.xlsx"
    result = invoke(["catalog", "categories", "export", "S1", "--out", str(out)], api)
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == b"PK\x03\x04xlsx" and api.requests[0].url.params["filename"] == "cats.xlsx"
    bad = invoke(["catalog", "categories", "export", "S1", "--out", str(tmp_path / "cats.pdf")], api)
    assert bad.exit_code == 2 and ".xlsx or .csv" in flat(bad.stderr)  # usage


def test_attributes_download_follows_the_job_and_jobs_show_finds_it_in_the_catalog() -> None:
    job = {"id": "7b3f0d5c-0000-4000-8000-000000000001", "kind": "attributes download", "status": "done",
           "total": 3, "done": 2, "failed": 1, "error": None,
           "errors": [{"category_id": "601", "error": "TikTok refused (12052024): not a leaf"}]}

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.host.startswith("127.0.0.1") and request.url.port == 8103:  # orders: not its job
            return httpx.Response(404, json={"error": {"code": "job_not_found", "message": "no job"}})
        return httpx.Response(202 if request.method == "POST" else 200, json=job)

    api = FakeApi(answer)
    result = invoke(["catalog", "attributes", "download", "S1", "--all-leaves"], api)
    assert result.exit_code == 0, result.output
    assert api.bodies()[0] == {"category_id": None, "used": False, "all_leaves": True}
    out = flat(result.stdout)
    assert "2 of 3 done, 1 failed" in out and "category 601: TikTok refused (12052024)" in out
    shown = invoke(["jobs", "show", job["id"]], api)
    assert shown.exit_code == 0 and "attributes download" in flat(shown.stdout)
    none = invoke(["catalog", "attributes", "download", "S1"], api)
    assert none.exit_code == 2 and "exactly one of" in flat(none.stderr)  # usage


def test_upsert_of_an_xlsx_sends_the_files_its_cells_name_but_nothing_outside_its_folder(tmp_path: Path) -> None:
    import openpyxl

    folder = tmp_path / "shop"
    (folder / "img").mkdir(parents=True)
    (folder / "img" / "a.png").write_bytes(b"png bytes")
    (tmp_path / "secret.txt").write_text("not for the service")
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["sku", "main_image", "documents"])
    sheet.append(["A", "img/a.png", "Certificate=../secret.txt"])
    book.save(folder / "p.xlsx")
    body = {"rows": 1, "created": 1, "updated": 0, "unchanged": 0, "refused": 0, "became_ready": [], "problems": []}
    api = FakeApi(lambda r: httpx.Response(200, json=body))
    result = invoke(["catalog", "products", "upsert", str(folder / "p.xlsx")], api)
    assert result.exit_code == 0, result.output
    content = api.requests[0].content
    assert b'filename="img/a.png"' in content and b"png bytes" in content
    assert b"not for the service" not in content
