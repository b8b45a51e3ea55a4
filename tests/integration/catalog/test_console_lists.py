"""The operator console's two lists on the catalog's admin API: ``GET /jobs`` (attribute downloads and bulk
posts, newest first, each as ``GET /jobs/{id}`` answers it) and ``GET /products`` (our records with their
readiness and posting on a shop, filtered by state, searched, ordered and paged)."""

from __future__ import annotations

from typing import Any

from tests.integration.catalog.conftest import (
    Harness,
    attributes_job,
    download,
    leaf,
    ready_product,
    ready_shop,
    upc,
)
from tests.support.stack import sandbox
from tests.support.waiting import poll_json, until


async def _get(h: Harness, path: str, **params: Any) -> dict[str, Any]:
    r = await h.http.get(f"{h.url}{path}", params=params)
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


async def _post_job(h: Harness, shop: str, skus: list[str]) -> dict[str, Any]:
    r = await h.http.post(f"{h.url}/shops/{shop}/posts", json={"skus": skus})
    assert r.status_code == 202, r.text
    return await poll_json(h.http, f"{h.url}/jobs/{r.json()['id']}", until=lambda j: j["status"] == "done",
                           timeout_s=60)


async def test_jobs_lists_both_kinds_newest_first_as_get_job_answers_them(harness: Harness, unique: str) -> None:
    h = harness
    shop = await h.new_shop(region="US")
    await download(h, shop)
    first = await attributes_job(h, shop, category_id=(await leaf(h, shop, "T-shirts"))["id"])
    ghosts = [f"GHOST-{unique}-1", f"GHOST-{unique}-2"]  # unknown SKUs: the job runs, each item fails
    post = await _post_job(h, shop, ghosts)
    later = await attributes_job(h, shop, category_id=(await leaf(h, shop, "Building blocks"))["id"])
    other = await h.new_shop(region="US")
    elsewhere = await _post_job(h, other, [f"GHOST-{unique}-3"])
    assert first["status"] == later["status"] == "done", (first, later)

    jobs = (await _get(h, "/jobs", shop=shop))["jobs"]
    assert [j["id"] for j in jobs] == [later["id"], post["id"], first["id"]]
    assert [j["kind"] for j in jobs] == ["attributes download", "bulk post", "attributes download"]
    for job in jobs:  # the same item GET /jobs/{id} answers
        assert job == await _get(h, f"/jobs/{job['id']}"), job
    listed_post = jobs[1]
    assert (listed_post["shop_id"], listed_post["total"], listed_post["done"], listed_post["failed"]) == (shop, 2, 2, 2)
    assert [e["seller_sku"] for e in listed_post["errors"]] == ghosts
    assert all("not known" in e["error"] for e in listed_post["errors"]), listed_post["errors"]
    assert jobs[0]["total"] == jobs[0]["done"] >= 1 and jobs[0]["finished_at"], jobs[0]

    assert [j["id"] for j in (await _get(h, "/jobs", shop=shop, limit=2))["jobs"]] == [later["id"], post["id"]]
    assert [j["id"] for j in (await _get(h, "/jobs", shop=other))["jobs"]] == [elsewhere["id"]]
    assert (await _get(h, "/jobs", shop=f"NOSHOP-{unique}"))["jobs"] == []

    every = (await _get(h, "/jobs", limit=200))["jobs"]  # every shop's: both kinds merged, newest first
    created = [j["created_at"] for j in every]
    assert created == sorted(created, reverse=True)
    mine = [j["id"] for j in every if j["id"] in {first["id"], post["id"], later["id"], elsewhere["id"]}]
    assert mine == [elsewhere["id"], later["id"], post["id"], first["id"]]
    assert len((await _get(h, "/jobs"))["jobs"]) <= 50
    for bad in (0, 201):
        r = await h.http.get(f"{h.url}/jobs", params={"limit": bad})
        assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_request", r.text


async def test_products_lists_records_with_their_state_on_a_shop_searched_filtered_and_paged(
    harness: Harness, unique: str
) -> None:
    h = harness

    def sku(name: str) -> str:
        return f"LIST-{unique}-{name}"

    async def put(name: str, body: dict[str, Any]) -> None:
        r = await h.http.put(f"{h.url}/products/{sku(name)}", json=body)
        assert r.status_code == 200, r.text

    # made before the shop exists, so never checked for it: a matrix parent and its variation
    await put("D", {"title": f"Striped Zebra Mug {unique.upper()}", "price": "7.50", "currency": "USD"})
    await put("D-RED", {"parent_sku": sku("D"), "sales_attributes": {"Color": "Red"}})
    shop, tee, attrs = await ready_shop(h)
    for i, name in enumerate(("A", "R", "P", "B")):  # ready
        await ready_product(h, unique, tee, attrs, sku(name), upc=upc(unique, 30 + i),
                            title=f"Organic cotton tee {name} {unique} in a soft jersey")
    await ready_product(h, unique, tee, attrs, sku("C"), upc=upc(unique, 34), price=None, main_image=None)
    await ready_product(h, unique, tee, attrs, sku("F"), upc=upc(unique, 35),
                        title=f"Organic cotton T恤 {unique} in a soft jersey")  # TikTok refuses the title
    created = [sku(n) for n in ("D", "D-RED", "A", "R", "P", "B", "C", "F")]
    ids = {}
    for name in ("A", "R", "P", "F"):
        r = await h.http.post(f"{h.url}/shops/{shop}/products/{sku(name)}/post")
        assert r.status_code == 200 and r.json()["state"] == ("failed" if name == "F" else "posted"), r.text
        ids[name] = r.json()["product_id"]
    await sandbox(h.http, "POST", f"{h.sandbox_url}/sandbox/products/{ids['A']}/review", json={"decision": "approve"})
    await sandbox(h.http, "POST", f"{h.sandbox_url}/sandbox/products/{ids['R']}/review",
                  json={"decision": "reject", "reasons": ["title contains a prohibited word"]})

    async def in_state(state: str) -> set[str]:
        found = await _get(h, "/products", shop=shop, state=state, search=unique, limit=200)
        assert found["total"] == len(found["products"]), found
        return {p["seller_sku"] for p in found["products"]}

    async def reviewed() -> bool:  # the reconciliation poll reads TikTok's decisions back
        return await in_state("live") == {sku("A")} and await in_state("rejected") == {sku("R")}

    await until(reviewed, timeout_s=30, what="review decisions seen by the poll")
    expected = {
        "unchecked": {"D", "D-RED"}, "ready": {"A", "R", "P", "B", "F"}, "not_ready": {"C"},
        "unposted": {"B", "F"}, "posting": set(), "failed": {"F"}, "posted": {"A", "R", "P"},
        "in_review": {"P"}, "live": {"A"}, "rejected": {"R"},
    }
    for state, names in expected.items():
        assert await in_state(state) == {sku(n) for n in names}, state

    # each row: the record's pieces, and its readiness and posting as GET /products/{sku} answers them
    rows = {p["seller_sku"]: p for p in (await _get(h, "/products", shop=shop, search=unique))["products"]}
    assert set(rows) == set(created)
    for name in ("A", "R", "C", "F"):
        detail = await _get(h, f"/products/{sku(name)}")
        row = rows[sku(name)]
        assert (row["title"], row["parent_sku"], row["version"]) == (detail["title"], None, detail["version"])
        assert row["readiness"] == next(r for r in detail["readiness"] if r["shop_id"] == shop)
        postings = [{k: v for k, v in x.items() if k != "record_version"} for x in detail["postings"]]
        assert ([row["posting"]] if row["posting"] else []) == postings, (row, postings)
    assert rows[sku("R")]["posting"]["tiktok_status"] == "FAILED" and rows[sku("R")]["posting"]["product_id"]
    assert rows[sku("C")]["readiness"]["problems"] >= 1 and not rows[sku("C")]["readiness"]["ready"]
    details = rows[sku("C")]["readiness"]["problem_details"]  # every problem, each with its rule (R32-R37)
    assert len(details) == rows[sku("C")]["readiness"]["problems"] and all(d["rule"].startswith("R") for d in details)
    assert rows[sku("B")]["readiness"]["problem_details"] == []
    assert rows[sku("B")]["posting"] is None and rows[sku("B")]["readiness"]["ready"]
    assert rows[sku("D-RED")]["parent_sku"] == sku("D") and rows[sku("D-RED")]["readiness"] is None
    assert rows[sku("D")]["image"] is None
    record = (await _get(h, f"/products/{sku('A')}"))["record"]
    assert rows[sku("A")]["image"] == record["main_image"]  # the main image first ...
    assert rows[sku("C")]["image"] == (await _get(h, f"/products/{sku('C')}"))["record"]["images"][0]  # ... else the gallery's
    thumbnail = await h.http.get(f"{h.url}/media/{rows[sku('A')]['image']['sha256']}")
    assert thumbnail.status_code == 200 and thumbnail.content

    # without a shop: the records only
    plain = (await _get(h, "/products", search=unique))["products"]
    assert {p["seller_sku"] for p in plain} == set(created)
    assert all("readiness" not in p and "posting" not in p for p in plain)

    # search: a case-insensitive part of the SKU or the title, taken literally
    async def searched(text: str) -> list[str]:
        return [p["seller_sku"] for p in (await _get(h, "/products", search=text, limit=200))["products"]]

    assert await searched(f"list-{unique}-d") == [sku("D"), sku("D-RED")]
    assert set(await searched(unique.upper())) == set(created)
    assert await searched(f"zebra mug {unique}") == [sku("D")]  # the title only
    assert await searched(f"{unique}%") == [] and await searched(f"list_{unique}") == []

    # order and paging
    by_sku = [p["seller_sku"] for p in (await _get(h, "/products", search=unique, limit=200))["products"]]
    assert by_sku == sorted(created)
    newest = [p["seller_sku"] for p in (await _get(h, "/products", search=unique, order="newest"))["products"]]
    assert newest == created[::-1]
    pages = [await _get(h, "/products", search=unique, limit=3, offset=offset) for offset in (0, 3, 6)]
    assert [len(p["products"]) for p in pages] == [3, 3, 2] and {p["total"] for p in pages} == {8}
    assert [p["seller_sku"] for page in pages for p in page["products"]] == by_sku
    assert await _get(h, "/products", search=unique, offset=8) == {"products": [], "total": 8}
    assert (await _get(h, "/products", shop=shop, state="posted", search=unique, limit=1, offset=1))["total"] == 3

    # the routes beside it still answer; bad filters are refused
    assert (await _get(h, f"/products/{sku('D')}"))["seller_sku"] == sku("D")
    for params in ({"state": "ready"}, {"shop": shop, "state": "sold"}, {"limit": 0}, {"limit": 201},
                   {"offset": -1}, {"order": "price"}, {"search": "a\x00b"}):
        r = await h.http.get(f"{h.url}/products", params=params)
        assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_request", (params, r.text)

    # parent: exactly the variation children of one matrix parent (what the console's product page lists);
    # not the parent itself, nor a record whose SKU merely contains the parent's, nor another matrix's child
    await put("D-BLUE", {"parent_sku": sku("D"), "sales_attributes": {"Color": "Blue"}})
    await put("DD", {"title": f"Dotted mug {unique}", "price": "6.50", "currency": "USD"})
    await put("DD-RED", {"parent_sku": sku("DD"), "sales_attributes": {"Color": "Red"}})

    async def children(parent: str, **params: Any) -> tuple[list[str], int]:
        found = await _get(h, "/products", parent=parent, **params)
        return [p["seller_sku"] for p in found["products"]], found["total"]

    assert await children(sku("D")) == ([sku("D-BLUE"), sku("D-RED")], 2)
    assert await children(sku("DD")) == ([sku("DD-RED")], 1)
    assert await children(sku("D"), search="blue") == ([sku("D-BLUE")], 1)
    assert await children(sku("D"), limit=1, offset=1) == ([sku("D-RED")], 2)
    assert await children(sku("D"), order="newest") == ([sku("D-BLUE"), sku("D-RED")], 2)
    with_shop = (await _get(h, "/products", parent=sku("D"), shop=shop))["products"]
    assert [p["seller_sku"] for p in with_shop] == [sku("D-BLUE"), sku("D-RED")]
    blue, red = with_shop  # their state on the shop beside them: D-BLUE was made after the shop, so checked
    assert blue["readiness"]["ready"] is False and len(blue["readiness"]["problem_details"]) == blue["readiness"]["problems"]
    assert red["readiness"] is None and blue["posting"] is None and red["posting"] is None
    for nobody in (sku("A"), sku("D").lower(), f"LIST-{unique}-%", f"LIST-{unique}-_", f"{sku('D')}' OR '1'='1"):
        assert await children(nobody) == ([], 0), nobody  # exact and literal: no pattern, no injection
