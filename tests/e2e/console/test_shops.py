"""The console's shops page in a real headless Chromium (issue 15): sign-in, a switch toggled in the
browser is what `ttshop shops show` reports (R5), nothing without signing in, sign-out."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.browser import fresh_page
from tests.support.devstack import Stack
from tests.support.shops import connect_shop

pytestmark = pytest.mark.e2e
SHOTS = Path(__file__).resolve().parents[3] / "docs" / "console"


async def screenshot(page: Any, name: str) -> None:
    """docs/console/<name>.png, only when CONSOLE_SCREENSHOTS=1 (so a normal run rewrites nothing)."""
    if os.environ.get("CONSOLE_SCREENSHOTS") == "1":
        SHOTS.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


async def test_every_page_and_action_is_refused_without_signing_in(browser: Any, stack: Stack) -> None:
    base = stack.url("console")
    async with fresh_page(browser) as page:
        for path in ("/shops", "/orders", "/listings", "/sync", "/jobs", "/dead-letters"):
            await page.goto(base + path)
            assert page.url.startswith(f"{base}/signin?next="), path
            assert await page.locator("input[name=credential]").count() == 1
        answer = await page.request.post(f"{base}/shops/1/switch", form={"name": "auto_post", "value": "on"},
                                         max_redirects=0)
        assert answer.status == 303 and answer.headers["location"] == "/signin"
        await page.fill("input[name=credential]", "not-an-admin-credential-at-all")
        await page.click("form[action='/signin'] button[type=submit]")
        assert "That is not an admin credential" in await page.locator(".flash.error").inner_text()


async def test_a_switch_toggled_in_the_browser_is_what_the_cli_shows(console: Any, stack: Stack) -> None:
    async with httpx.AsyncClient(timeout=30) as http:
        shop_id = await connect_shop(stack, http, name="console-shops")
    base = stack.url("console")
    await console.goto(f"{base}/shops")
    toggle = console.locator(f"tr[data-shop='{shop_id}'] button[data-switch='allow_order_download']")
    assert await toggle.get_attribute("aria-checked") == "false"
    await screenshot(console, "shops")
    await toggle.click()
    await console.locator(".flash.ok", has_text=f"download orders turned on for shop {shop_id}").wait_for()
    toggled = console.locator(f"tr[data-shop='{shop_id}'] button[data-switch='allow_order_download']")
    assert await toggled.get_attribute("aria-checked") == "true"
    shown = json.loads(stack.ttshop("--json", "shops", "show", shop_id).stdout)
    assert shown["settings"]["allow_order_download"] is True
    assert shown["settings"]["allow_tracking_upload"] is False  # only the one clicked

    await console.goto(f"{base}/shops/{shop_id}")
    await console.click("section.panel form[action$='/test'] button")
    await console.locator(".flash.ok", has_text=f"shop {shop_id}: test settings OK").wait_for()
    audit = console.locator("table tbody tr", has_text="test")
    assert await audit.count() >= 1
    toggled_entry = console.locator("table tbody tr", has_text="allow_order_download=on")
    assert "by: cli" in await toggled_entry.inner_text()  # the audit trail names who clicked
    await screenshot(console, "shop")


async def test_signing_out_ends_the_session(console: Any, stack: Stack) -> None:
    base = stack.url("console")
    await console.click("form[action='/signout'] button")
    await console.wait_for_url(f"{base}/signin")
    await console.goto(f"{base}/shops")
    assert console.url.startswith(f"{base}/signin?next=")
