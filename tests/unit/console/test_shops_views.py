"""What the shops pages show (R3, R5), from the auth service's answers, and what their actions send."""

from __future__ import annotations

import pytest

from libs.console.shops import views
from tests.unit.console.conftest import FakeServices, signed_in

SHOP = {"shop_id": "7001", "name": "demo", "region": "US", "status": "needs_reauthorization",
        "status_reason": "TikTok revoked the authorisation", "access_token_expires_at": "2020-01-01T00:00:00+00:00",
        "settings": {"allow_order_download": True, "auto_post": False, "identifier_priority": ["EAN", "UPC"],
                     "inventory_buffer": "10%", "out_of_stock_threshold": 3},
        "audit": [{"action": "refresh", "outcome": "failed", "detail": {"error": "revoked"},
                   "at": "2026-12-03T10:00:00+00:00"}]}


def test_a_shop_row_says_its_status_in_plain_words_with_the_reason() -> None:
    row = views.shop_row(SHOP)
    assert row.status == "needs re-authorisation: TikTok revoked the authorisation"
    assert not row.healthy
    assert row.token_expires.endswith("(expired)")
    assert row.identifier_priority == "EAN,UPC" and row.inventory_buffer == "10%" and row.out_of_stock_threshold == 3
    on = {s.name for s in row.switches if s.on}
    assert on == {"allow_order_download"}
    assert [s.name for s in row.switches] == [name for name, _ in views.SWITCHES]


def test_an_active_shop_with_a_warning_is_not_shown_as_healthy() -> None:
    row = views.shop_row({**SHOP, "status": "active", "status_reason": None, "warning": "token expires soon"})
    assert row.status == "active (warning: token expires soon)" and not row.healthy
    assert views.shop_row({**SHOP, "status": "active", "access_token_expires_at": None}).token_expires == "no token"


def test_the_audit_trail_is_time_action_outcome_detail() -> None:
    assert views.audit(SHOP) == [("2026-12-03 10:00:00", "refresh", "failed", "error: revoked")]


def test_a_toggle_is_one_switch_on_or_off() -> None:
    assert views.switch_change("auto_post", "on") == {"auto_post": True}
    assert views.switch_change("allow_order_download", "off") == {"allow_order_download": False}
    with pytest.raises(ValueError, match="no switch"):
        views.switch_change("drop_tables", "on")
    with pytest.raises(ValueError, match="on or off"):
        views.switch_change("auto_post", "maybe")


async def test_test_settings_shows_every_problem_with_its_code(fake: FakeServices) -> None:
    fake.answer("auth", "POST", "/shops/7001/test", {"ok": False, "problems": [
        {"code": "missing_scope", "message": "the app lacks seller.order.info"}, "warehouse not set"]})
    fake.answer("auth", "GET", "/shops/7001", SHOP)
    async with signed_in(fake) as client:
        await client.post("/shops/7001/test", data={"csrf": client.csrf})
        shown = (await client.get("/shops/7001")).text
    assert "shop 7001: the app lacks seller.order.info (missing_scope)" in shown
    assert "shop 7001: warehouse not set" in shown
    assert "needs re-authorisation: TikTok revoked the authorisation" in shown


async def test_a_refused_change_shows_the_service_s_message_and_code(fake: FakeServices) -> None:
    fake.answer("auth", "PATCH", "/shops/7001/settings",
                (409, {"error": {"code": "shop_disconnected", "message": "shop 7001 is disconnected"}}))
    fake.answer("auth", "GET", "/shops/7001", SHOP)
    async with signed_in(fake) as client:
        await client.post("/shops/7001/switch", data={"csrf": client.csrf, "name": "auto_post", "value": "on"})
        shown = (await client.get("/shops/7001")).text
    assert "Error: shop 7001 is disconnected (shop_disconnected)" in shown
    assert "turned on" not in shown


async def test_connect_needs_an_auth_code_and_sends_it(fake: FakeServices) -> None:
    fake.answer("auth", "POST", "/shops/connect", {"shops": [{"shop_id": "7002", "name": "new"}]})
    fake.answer("auth", "GET", "/shops", {"shops": []})
    async with signed_in(fake) as client:
        await client.post("/shops/connect", data={"csrf": client.csrf, "auth_code": "  "})
        empty = (await client.get("/shops")).text
        await client.post("/shops/connect", data={"csrf": client.csrf, "auth_code": "TTP_x", "tax_id": "T9"})
        connected = (await client.get("/shops")).text
    assert "give the auth code" in empty
    [call] = fake.made("auth", "POST", "/shops/connect")
    assert call.body == {"auth_code": "TTP_x", "tax_id": "T9", "name": None}
    assert "Connected shop 7002 new" in connected


def test_the_settings_form_is_checked_as_the_cli_checks_it() -> None:
    assert views.settings_change("010%", "", "") == {"inventory_buffer": "10%"}
    assert views.settings_change("", "4", "ean, upc") == {"out_of_stock_threshold": 4,
                                                           "identifier_priority": ["EAN", "UPC"]}
    with pytest.raises(ValueError, match="percentage from 0% to 100%"):
        views.settings_change("150%", "", "")
    with pytest.raises(ValueError, match="whole number"):
        views.settings_change("", "-1", "")
    with pytest.raises(ValueError, match="not an identifier type"):
        views.settings_change("", "", "UPC,SKU")
    with pytest.raises(ValueError, match="nothing to change"):
        views.settings_change(" ", "", "")


async def test_the_settings_form_sends_only_what_was_filled_in(fake: FakeServices) -> None:
    fake.answer("auth", "PATCH", "/shops/7001/settings", {})
    fake.answer("auth", "GET", "/shops/7001", SHOP)
    async with signed_in(fake) as client:
        await client.post("/shops/7001/settings", data={"csrf": client.csrf, "inventory_buffer": "5",
                                                        "out_of_stock_threshold": "", "identifier_priority": ""})
        shown = (await client.get("/shops/7001")).text
    [call] = fake.made("auth", "PATCH", "/shops/7001/settings")
    assert call.body == {"inventory_buffer": "5"}
    assert "Updated inventory_buffer of shop 7001" in shown


async def test_a_shop_id_from_the_browser_stays_one_path_segment(fake: FakeServices) -> None:
    fake.answer("auth", "POST", "/shops/7001?x=1/refresh", {})
    async with signed_in(fake) as client:
        await client.post("/shops/7001%3Fx=1/refresh", data={"csrf": client.csrf})
    [call] = [c for c in fake.calls if c.method == "POST"]
    assert call.path == "/shops/7001?x=1/refresh" and call.params == {}
