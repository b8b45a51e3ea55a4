"""Waiting in tests for something that happens asynchronously: a condition, an admin API answer,
a database value. One implementation, so every test polls and times out the same way."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
import httpx


async def until(check: Callable[[], Awaitable[Any]], timeout_s: float = 15.0, every_s: float = 0.05,
                what: str = "condition") -> Any:
    """Await ``check()`` until it returns something truthy, and return that; TimeoutError after ``timeout_s``."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while not (value := await check()):
        if loop.time() > deadline:
            raise TimeoutError(f"{what} not met in {timeout_s}s")
        await asyncio.sleep(every_s)
    return value


async def poll_json(http: httpx.AsyncClient, url: str, *, until: Callable[[dict[str, Any]], bool],
                    timeout_s: float = 20.0, every_s: float = 0.05) -> dict[str, Any]:
    """GET ``url`` until it answers 200 with a body ``until`` accepts; AssertionError with the last body."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    last: Any = None
    while loop.time() < deadline:
        response = await http.get(url)
        if response.status_code == 200:
            last = response.json()
            if until(last):
                return last  # type: ignore[no-any-return]
        await asyncio.sleep(every_s)
    raise AssertionError(f"{url} never reached the expected state; last: {last}")


async def wait_db(dsn: str, sql: str, *args: Any, until: Callable[[Any], bool], timeout_s: float = 30.0,
                  every_s: float = 0.05) -> Any:
    """Run ``sql`` (one value) until ``until`` accepts the value; AssertionError with the last value."""
    conn = await asyncpg.connect(dsn)
    try:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        while True:
            value = await conn.fetchval(sql, *args)
            if until(value):
                return value
            if loop.time() > deadline:
                raise AssertionError(f"timed out waiting for {sql} {args}; last value {value!r}")
            await asyncio.sleep(every_s)
    finally:
        await conn.close()
