"""Option values are checked locally, with messages naming the option and the expected form."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from .conftest import FakeApi, flat, invoke


def _never_called(request: httpx.Request) -> httpx.Response:
    raise AssertionError(f"no request expected, got {request.method} {request.url}")


@pytest.mark.parametrize("value", ["maybe", "yes", "1", ""])
def test_switch_accepts_only_on_or_off(value: str) -> None:
    api = FakeApi(_never_called)
    result = invoke(["shops", "settings", "S1", "--allow-price-upload", value], api)
    assert result.exit_code == 2
    assert "Invalid value for '--allow-price-upload'" in flat(result.output)
    assert "expected on or off" in flat(result.output)
    assert api.requests == []


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("UPC,FOO", "FOO is not an identifier type"),
        ("UPC,EAN,upc", "UPC is listed more than once"),
        ("UPC,,EAN", "has an empty entry"),
    ],
)
def test_identifier_priority_is_validated(value: str, why: str) -> None:
    result = invoke(["shops", "settings", "S1", "--identifier-priority", value], FakeApi(_never_called))
    out = flat(result.output)
    assert result.exit_code == 2
    assert "Invalid value for '--identifier-priority'" in out
    assert why in out


def test_settings_sends_only_the_given_switches_as_booleans() -> None:
    api = FakeApi(lambda r: httpx.Response(200, json={"settings": {"allow_price_upload": False}}))
    result = invoke(
        ["shops", "settings", "S1", "--allow-price-upload", "OFF", "--allow-order-download", "on",
         "--identifier-priority", "ean,UPC"],
        api,
    )
    assert result.exit_code == 0, result.output
    (request,) = api.requests
    assert (request.method, request.url.path) == ("PATCH", "/shops/S1/settings")
    assert api.bodies() == [
        {"allow_price_upload": False, "allow_order_download": True, "identifier_priority": ["EAN", "UPC"]}
    ]


def test_settings_without_flags_shows_current_settings() -> None:
    shop = {"shop_id": "S1", "settings": {"allow_order_download": True, "send_brand_info": False}}
    api = FakeApi(lambda r: httpx.Response(200, json=shop))
    result = invoke(["shops", "settings", "S1"], api)
    assert result.exit_code == 0, result.output
    assert [(r.method, r.url.path) for r in api.requests] == [("GET", "/shops/S1")]
    assert "allow_order_download" in result.output and "send_brand_info" in result.output


@pytest.mark.parametrize("value", ["2024-13-01", "yesterday", "01/05/2024"])
def test_download_rejects_a_bad_date(value: str) -> None:
    result = invoke(["orders", "download", "S1", "--from", value, "--to", "2024-05-02"], FakeApi(_never_called))
    out = flat(result.output)
    assert result.exit_code == 2
    assert "Invalid value for '--from'" in out
    assert "expected YYYY-MM-DD or an ISO datetime" in out


def test_download_rejects_from_after_to() -> None:
    result = invoke(
        ["orders", "download", "S1", "--from", "2024-05-03", "--to", "2024-05-01"], FakeApi(_never_called)
    )
    assert result.exit_code == 2
    assert "is not before --to" in flat(result.output)


def test_download_rejects_to_without_from() -> None:
    result = invoke(["orders", "download", "S1", "--to", "2024-05-01"], FakeApi(_never_called))
    assert result.exit_code == 2
    assert "--to needs --from" in flat(result.output)


def test_download_sends_whole_days_in_utc_and_follows_the_job() -> None:
    polls = iter(
        [
            {"id": "J1", "status": "running", "pages_done": 1, "orders_done": 40},
            {"id": "J1", "status": "done", "pages_done": 2, "orders_seen": 57, "orders_new": 50},
        ]
    )

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            return httpx.Response(202, json={"id": "J1", "status": "queued"})
        return httpx.Response(200, json=next(polls))

    api = FakeApi(handler)
    result = invoke(["orders", "download", "S1", "--from", "2024-05-01", "--to", "2024-05-02T12:00:00+02:00"], api)
    assert result.exit_code == 0, result.output
    assert api.bodies()[0] == {
        "shop": "S1", "from": "2024-05-01T00:00:00+00:00", "to": "2024-05-02T12:00:00+02:00"
    }
    assert [r.url.path for r in api.requests] == ["/jobs/download", "/jobs/J1", "/jobs/J1"]
    assert "job J1: done — pages 2, orders 57 (50 new)" in flat(result.output)


def test_download_reports_a_failed_job() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            return httpx.Response(202, json={"id": "J2", "status": "queued"})
        return httpx.Response(200, json={"id": "J2", "status": "failed", "error": "token revoked"})

    result = invoke(["orders", "download", "S1", "--from", "2024-05-01"], FakeApi(handler))
    assert result.exit_code == 1
    assert "Error: job J2: failed" in flat(result.output)
    assert "token revoked" in flat(result.output)


def test_bare_to_date_includes_that_whole_day() -> None:
    from libs.cli.validation import date_to

    assert date_to("2024-05-01") == datetime(2024, 5, 2, tzinfo=UTC)  # the service treats 'to' as exclusive


def test_download_accepts_a_single_day() -> None:
    api = FakeApi(lambda r: httpx.Response(201, json={"id": "J3", "status": "queued"}))
    result = invoke(["orders", "download", "S1", "--from", "2024-05-01", "--to", "2024-05-01", "--no-wait"], api)
    assert result.exit_code == 0, result.output
    assert api.bodies() == [{"shop": "S1", "from": "2024-05-01T00:00:00+00:00", "to": "2024-05-02T00:00:00+00:00"}]


@pytest.mark.parametrize("value", ["five", "-3", "101%", "10.5%", "100000", "%"])
def test_inventory_buffer_takes_units_or_a_percentage(value: str) -> None:
    result = invoke(["shops", "settings", "S1", "--inventory-buffer", value], FakeApi(_never_called))
    out = flat(result.output)
    assert result.exit_code == 2, out
    assert "Invalid value for '--inventory-buffer'" in out and "percentage from 0% to 100%" in out


def test_inventory_buffer_and_threshold_are_sent_as_settings() -> None:
    api = FakeApi(lambda r: httpx.Response(200, json={"settings": {}}))
    result = invoke(["shops", "settings", "S1", "--inventory-buffer", " 15% ", "--out-of-stock-threshold", "3"], api)
    assert result.exit_code == 0, result.output
    assert api.bodies() == [{"inventory_buffer": "15%", "out_of_stock_threshold": 3}]
