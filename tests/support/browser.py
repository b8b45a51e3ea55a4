"""Headless Debian Chromium driven by Playwright (the system browser: nothing downloads one).

``make test`` installs Debian's ``chromium`` when it is missing (``make browser``); where it cannot be
installed the browser tests are skipped with a loud reason, never passed silently.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest

#: The flags the machine notes say a headless Chromium needs here (no sandbox as root, no calls home).
FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage"]


def chromium_path() -> str | None:
    configured = os.environ.get("CHROMIUM")
    if configured:
        return configured if os.path.exists(configured) else None
    return shutil.which("chromium") or shutil.which("chromium-browser")


def require_chromium() -> str:
    path = chromium_path()
    if path is None:
        message = ("!!! BROWSER TESTS SKIPPED: no Chromium on this machine (Debian package `chromium`; "
                   "`make browser` installs it, or set CHROMIUM=/path/to/chromium) !!!")
        print(f"\n{message}\n")
        pytest.skip(message)
    try:
        import playwright.async_api  # noqa: F401
    except ImportError:
        pytest.skip("!!! BROWSER TESTS SKIPPED: the playwright package is not installed (`make install`) !!!")
    return path


@asynccontextmanager
async def chromium() -> AsyncIterator[Any]:
    """A headless Chromium (Playwright ``Browser``; each test opens its own context: no shared cookies)."""
    from playwright.async_api import async_playwright

    path = require_chromium()
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=path, args=FLAGS, headless=True)
        try:
            yield browser
        finally:
            await browser.close()


@asynccontextmanager
async def fresh_page(browser: Any) -> AsyncIterator[Any]:
    """A page in a context of its own (no cookies), the size the screenshots are taken at."""
    context = await browser.new_context(viewport={"width": 1400, "height": 900})
    try:
        yield await context.new_page()
    finally:
        await context.close()


async def sign_in(page: Any, console_url: str, credential: str) -> None:
    """Sign in through the sign-in form, as an operator does."""
    await page.goto(f"{console_url}/signin")
    await page.fill("input[name=credential]", credential)
    await page.click("form[action='/signin'] button[type=submit]")
    await page.wait_for_url(f"{console_url}/shops")
