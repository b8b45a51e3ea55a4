"""Helpers for the auth integration tests: settings, connecting a sandbox shop, sandbox counters,
moving a stored token's expiry, and waiting for a condition."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import asyncpg
import httpx
import pytest

from services.auth.settings import AuthSettings
from tests.support.stack import sandbox, shared_settings
from tests.support.waiting import until  # noqa: F401 - the auth tests import it from here


@pytest.fixture
def make_auth_settings(pg_dsn, kafka_bootstrap, sandbox_url, internal_token, encryption_key) -> Callable[..., AuthSettings]:
    """AuthSettings on this test's database; keyword arguments override (e.g. a short refresh interval)."""

    def make(**overrides: Any) -> AuthSettings:
        values: dict[str, Any] = {
            **shared_settings(pg_dsn=pg_dsn, kafka_bootstrap=kafka_bootstrap, sandbox_url=sandbox_url,
                              internal_token=internal_token),
            "encryption_keys": encryption_key, "port": 0,
        }
        values.update(overrides)
        return AuthSettings(**values)

    return make


async def connect_shop(http: httpx.AsyncClient, auth: str, sandbox_url: str, *, name: str,
                       tax_id: str = "TAX-1") -> dict[str, Any]:
    """A fresh sandbox seller connected through the auth service; returns the shop as the API shows it."""
    seller = await sandbox(http, "POST", f"{sandbox_url}/sandbox/sellers", json={"name": name})
    r = await http.post(f"{auth}/shops/connect", json={"auth_code": seller["auth_code"], "tax_id": tax_id,
                                                        "name": name})
    assert r.status_code == 201, r.text
    return r.json()["shops"][0]  # type: ignore[no-any-return]


async def served(http: httpx.AsyncClient, sandbox_url: str, path: str) -> int:
    """How many calls the sandbox served on paths starting with ``path``."""
    return int((await sandbox(http, "GET", f"{sandbox_url}/sandbox/requests", params={"path": path}))["total"])


async def expire_in(dsn: str, shop_id: str, seconds: float) -> None:
    """Make the auth service believe the shop's access token expires in ``seconds`` (the sandbox's token
    itself stays valid, so any failing call would be our fault, not TikTok's)."""
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(
            "UPDATE auth.shops SET access_token_expires_at = now() + make_interval(secs => $2) WHERE shop_id = $1",
            shop_id, float(seconds),
        )
    finally:
        await conn.close()



def audit_of(shop: dict[str, Any], action: str, outcome: str | None = None) -> list[dict[str, Any]]:
    return [a for a in shop["audit"] if a["action"] == action and (outcome is None or a["outcome"] == outcome)]
