"""The jobs pages' data: each service's jobs as rows with a progress bar, counts in the CLI's words and errors."""

from __future__ import annotations

from libs.console.jobs import views

ORDERS_JOB = {"id": "a1b2c3d4-0000-0000-0000-000000000001", "shop_id": "7001", "from": "2026-12-01T00:00:00+00:00",
              "to": "2026-12-02T00:00:00+00:00", "status": "running", "pages_done": 2, "orders_seen": 40,
              "orders_new": 12, "error": None, "created_at": "2026-12-03T10:00:00+00:00", "finished_at": None}
ATTRIBUTES_JOB = {"id": "b0000000-0000-0000-0000-000000000002", "kind": "attributes download", "shop_id": "7001",
                  "status": "done", "total": 10, "done": 10, "failed": 1, "error": None,
                  "errors": [{"category_id": "601226", "error": "category is not a leaf"}],
                  "created_at": "2026-12-03T11:00:00.123456+00:00", "updated_at": "2026-12-03T11:01:00+00:00",
                  "finished_at": "2026-12-03T11:01:00+00:00"}
POST_JOB = {"id": "c0000000-0000-0000-0000-000000000003", "kind": "bulk post", "shop_id": "7002", "status": "paused",
            "total": 8, "done": 3, "failed": 1, "posted": 2, "in_review": 1, "live": 1, "rejected": 0, "waiting": 5,
            "error": "TikTok rate limit; resuming", "errors": [{"seller_sku": "SKU-9", "error": "missing image"}],
            "created_at": "2026-12-03T09:00:00+00:00", "updated_at": "2026-12-03T09:05:00+00:00", "finished_at": None}


def test_an_order_download_has_a_moving_bar_while_running_and_its_pages_and_orders() -> None:
    row = views.job_row("orders", ORDERS_JOB)
    assert (row.kind, row.status, row.active, row.status_class) == ("order download", "running", True, "")
    assert row.progress == views.Progress(None, 1.0)  # no total known: indeterminate
    assert row.counts == "pages 2, orders 40 (12 new)"
    assert row.span == "2026-12-01 00:00:00 UTC → 2026-12-02 00:00:00 UTC"
    assert row.href == "/jobs/orders/a1b2c3d4-0000-0000-0000-000000000001"


def test_a_finished_or_failed_order_download() -> None:
    done = views.job_row("orders", {**ORDERS_JOB, "status": "done", "finished_at": "2026-12-03T10:02:00+00:00"})
    assert (done.progress, done.active, done.status_class) == (views.Progress(1.0, 1.0), False, "good")
    failed = views.job_row("orders", {**ORDERS_JOB, "status": "failed", "error": "shop 7001 is not authorised"})
    assert failed.progress.shown is False and failed.status_class == "bad"
    assert failed.error == "shop 7001 is not authorised" and failed.errors == []


def test_a_catalog_job_measures_items_done_of_total_with_its_errors() -> None:
    row = views.job_row("catalog", ATTRIBUTES_JOB)
    assert row.progress == views.Progress(10.0, 10.0) and row.status_class == "good"
    assert row.counts == "10 of 10 done, 1 failed"
    assert row.errors == [("601226", "category is not a leaf")] and row.span == ""


def test_a_bulk_post_counts_its_review_states_as_jobs_show_does() -> None:
    row = views.job_row("catalog", POST_JOB)
    assert row.progress == views.Progress(3.0, 8.0) and row.status_class == "warn" and row.active
    assert row.counts == "3 of 8 done, 1 failed; 2 posted (1 in review, 1 live, 0 rejected), 5 waiting"
    assert row.errors == [("SKU-9", "missing image")] and row.error == "TikTok rate limit; resuming"


def test_every_service_s_jobs_newest_first_and_a_summary() -> None:
    rows = views.job_rows({"orders": {"jobs": [ORDERS_JOB]}, "catalog": {"jobs": [ATTRIBUTES_JOB, POST_JOB]}})
    assert [(r.service, r.kind) for r in rows] == [("catalog", "attributes download"), ("orders", "order download"),
                                                   ("catalog", "bulk post")]
    assert views.summary(rows) == "1 running, 1 paused, 1 done"
    assert views.summary([]) == "no job"
    assert views.job_rows({"orders": None}) == []


def test_an_id_from_a_service_is_quoted_in_the_link() -> None:
    assert views.job_row("orders", {**ORDERS_JOB, "id": "../x?y"}).href == "/jobs/orders/..%2Fx%3Fy"
