"""The sync page in process against faked admin APIs: rows per shop, the chart, errors the page survives."""

from __future__ import annotations

from tests.unit.console.conftest import CREDENTIAL, FakeServices, console_client, signed_in
from tests.unit.console.test_sync_views import ROW

SHOPS = {"shops": [{"shop_id": "7001", "name": "busy"}, {"shop_id": "8008", "name": "quiet"}]}


async def test_the_sync_page_shows_each_shop_its_lag_calls_failures_and_a_chart(fake: FakeServices) -> None:
    fake.answer("catalog", "GET", "/sync/status", {"shops": [ROW]})
    fake.answer("auth", "GET", "/shops", SHOPS)
    async with signed_in(fake) as client:
        html = (await client.get("/sync")).text
    assert 'data-shop="7001"' in html and 'data-shop="8008"' in html and "busy" in html
    assert "75.4 s" in html and '<progress value="55" max="60">' in html
    assert "2 SKU(s) failed with 12052048: price too low" in html
    assert "Nothing queued or sent for this shop yet" in html  # 8008
    assert 'class="lag-line price"' in html and 'data-samples="1"' in html  # the page load took a sample
    assert "as this console saw it" in html and "since the console started" in html
    assert 'hx-get="/sync/status"' in html
    [call] = fake.made("catalog", "GET", "/sync/status")
    assert call.authorization == f"Bearer {CREDENTIAL}"


async def test_a_catalog_that_cannot_answer_is_shown_and_the_shops_still_are(fake: FakeServices) -> None:
    fake.answer("catalog", "GET", "/sync/status",
                (503, {"error": {"code": "not_ready", "message": "catalog is starting"}}))
    fake.answer("auth", "GET", "/shops", SHOPS)
    async with signed_in(fake) as client:
        answer = await client.get("/sync/status")
    assert answer.status_code == 200
    assert "Error: catalog is starting (not_ready)" in answer.text
    assert 'data-shop="8008"' in answer.text and "<html" not in answer.text  # the live part alone


async def test_the_sync_page_needs_a_sign_in(fake: FakeServices) -> None:
    async with console_client(fake) as client:
        answer = await client.get("/sync")
    assert answer.status_code == 303 and answer.headers["location"].startswith("/signin")
    assert not fake.made("catalog", "GET", "/sync/status")
