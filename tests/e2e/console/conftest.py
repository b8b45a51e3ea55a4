"""The console in a real headless Chromium against the whole stack as `make run` starts it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest_asyncio

from tests.support.browser import chromium, fresh_page, sign_in
from tests.support.devstack import Stack


@pytest_asyncio.fixture(scope="session")
async def browser() -> AsyncIterator[Any]:
    async with chromium() as context:
        yield context


@pytest_asyncio.fixture
async def console(browser: Any, stack: Stack) -> AsyncIterator[Any]:
    """A page signed in to the stack's console with the stack's admin credential (dev.env's ADMIN_API_TOKEN)."""
    async with fresh_page(browser) as page:
        await sign_in(page, stack.url("console"), stack.values["ADMIN_API_TOKEN"])
        yield page
