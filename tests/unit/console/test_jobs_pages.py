"""The jobs pages in process against faked admin APIs: both services' jobs, one service failing, one job."""

from __future__ import annotations

import httpx

from tests.unit.console.conftest import FakeServices, signed_in
from tests.unit.console.test_jobs_views import ATTRIBUTES_JOB, ORDERS_JOB


async def test_the_jobs_page_lists_both_services_jobs_with_progress_bars(fake: FakeServices) -> None:
    fake.answer("orders", "GET", "/jobs", {"jobs": [ORDERS_JOB]})
    fake.answer("catalog", "GET", "/jobs", {"jobs": [ATTRIBUTES_JOB]})
    async with signed_in(fake) as client:
        html = (await client.get("/jobs", params={"shop": "7001"})).text
    assert f'data-job="{ORDERS_JOB["id"]}"' in html and f'data-job="{ATTRIBUTES_JOB["id"]}"' in html
    assert '<progress value="10.0" max="10.0"' in html  # the catalog job: 10 of 10
    assert '<progress max="1"' in html  # the running download: no total, a moving bar
    assert "pages 2, orders 40 (12 new)" in html and "1 item error(s), e.g. 601226: category is not a leaf" in html
    assert 'hx-get="/jobs/table?shop=7001"' in html and "1 running, 1 done" in html
    assert [c.params for c in fake.made("orders", "GET", "/jobs")] == [{"shop": "7001", "limit": "100"}]


async def test_a_catalog_without_a_job_list_is_an_error_the_page_survives(fake: FakeServices) -> None:
    fake.answer("orders", "GET", "/jobs", {"jobs": [ORDERS_JOB]})  # the catalog answers 404 (no route)
    async with signed_in(fake) as client:
        html = (await client.get("/jobs/table")).text
    assert "catalog jobs: Error: no /jobs (not_found)" in html
    assert f'data-job="{ORDERS_JOB["id"]}"' in html


async def test_one_job_with_its_errors_refreshes_until_it_ends(fake: FakeServices) -> None:
    seen: list[bytes] = []

    def job(request: httpx.Request) -> dict[str, object]:
        seen.append(request.url.raw_path)
        return {**ORDERS_JOB, "id": "x y"}

    fake.answer("orders", "GET", "/jobs/x y", job)
    fake.answer("catalog", "GET", f"/jobs/{ATTRIBUTES_JOB['id']}", ATTRIBUTES_JOB)
    async with signed_in(fake) as client:
        running = (await client.get("/jobs/orders/x%20y")).text
        done = (await client.get(f"/jobs/catalog/{ATTRIBUTES_JOB['id']}/part")).text
    assert seen == [b"/jobs/x%20y"]  # the id is one quoted path segment
    assert 'hx-get="/jobs/orders/x%20y/part"' in running and "pages 2, orders 40" in running
    assert "601226" in done and "category is not a leaf" in done and "hx-trigger" not in done  # done: no refresh


async def test_a_job_of_an_unknown_service_or_id_says_so(fake: FakeServices) -> None:
    fake.answer("orders", "GET", "/jobs/nope", (404, {"error": {"code": "job_not_found", "message": "no job nope"}}))
    async with signed_in(fake) as client:
        unknown = (await client.get("/jobs/auth/1")).text
        missing = (await client.get("/jobs/orders/nope")).text
    assert "no service &#39;auth&#39; runs jobs" in unknown and not fake.made("auth", "GET", "/jobs/1")
    assert "Error: no job nope (job_not_found)" in missing
