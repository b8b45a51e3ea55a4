"""Automatic token refresh (R3) against real PostgreSQL, the broker and the sandbox: no call fails while
a token is renewed, and two auth replicas on one database refresh a shop exactly once."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from services.auth.app import build_app
from tests.integration.auth.conftest import audit_of, connect_shop, expire_in, served, until
from tests.support.servers import serve_app
from tests.support.stack import sandbox

pytestmark = pytest.mark.integration

REFRESH_PATH = "/api/v2/token/refresh"


async def test_token_about_to_expire_is_refreshed_by_the_loop_while_calls_keep_working(
    make_auth_settings, pg_dsn, sandbox_url, internal_token, unique
):
    """R3: the background loop renews a token inside the margin; a client calling the token endpoint
    and test settings all the while never sees a failure, and gets the new token afterwards."""
    settings = make_auth_settings(refresh_margin_s=600, refresh_jitter_s=0, refresh_check_interval_s=0.1)
    bearer = {"Authorization": f"Bearer {internal_token}"}
    async with serve_app(build_app(settings)) as auth, httpx.AsyncClient(timeout=30) as http:
        shop = await connect_shop(http, auth, sandbox_url, name=f"loop-{unique}", tax_id=f"T{unique}")
        shop_id = shop["shop_id"]
        first = (await http.get(f"{auth}/internal/shops/{shop_id}/token", headers=bearer)).json()
        refreshes_before = await served(http, sandbox_url, REFRESH_PATH)

        # 400 s left: outside the hand-out margin (5 min), inside the loop's margin (10 min), so only
        # the loop can be the one refreshing.
        await expire_in(pg_dsn, shop_id, 400)
        statuses: list[int] = []
        tokens: list[str] = []

        async def renewed() -> bool:
            tok = await http.get(f"{auth}/internal/shops/{shop_id}/token", headers=bearer)
            test = await http.post(f"{auth}/shops/{shop_id}/test")
            statuses.extend([tok.status_code, test.status_code])
            if tok.status_code == 200:
                tokens.append(tok.json()["access_token"])
            return bool(tokens) and tokens[-1] != first["access_token"]

        await until(renewed, timeout_s=15)
        for _ in range(3):  # and it keeps working with the new token
            await renewed()
        assert statuses and set(statuses) == {200}, statuses
        assert len(set(tokens)) == 2  # the old token until the refresh, then the new one

        shown = (await http.get(f"{auth}/shops/{shop_id}")).json()
        assert shown["status"] == "active" and shown["access_token_expires_in"] > 86_400
        assert len(audit_of(shown, "refresh", "ok")) == 1
        assert await served(http, sandbox_url, REFRESH_PATH) - refreshes_before == 1


async def test_two_auth_replicas_refresh_a_shop_exactly_once(make_auth_settings, pg_dsn, sandbox_url, unique):
    """R3: two auth processes on one database, both running their refresh loop and both asked to run a
    refresh pass at the same moment, call TikTok's refresh endpoint once for the shop (row lock), and the
    shop stays active (a second refresh with the rotated-away refresh token would have failed)."""
    settings = make_auth_settings(refresh_margin_s=600, refresh_jitter_s=0, refresh_check_interval_s=0.05)
    async with (
        serve_app(build_app(settings)) as one,
        serve_app(build_app(settings)) as two,
        httpx.AsyncClient(timeout=30) as http,
    ):
        shop = await connect_shop(http, one, sandbox_url, name=f"race-{unique}", tax_id=f"T{unique}")
        shop_id = shop["shop_id"]
        before = await served(http, sandbox_url, REFRESH_PATH)
        # A slow TikTok makes the window in which a second replica could also refresh wide open.
        fault = await sandbox(http, "POST", f"{sandbox_url}/sandbox/faults",
                              json={"kind": "latency", "latency_ms": 400, "path": REFRESH_PATH, "duration_s": 5})
        try:
            await expire_in(pg_dsn, shop_id, 400)
            passes = await asyncio.gather(*(http.post(f"{url}/admin/refresh-due") for url in (one, two) * 3))
            assert all(p.status_code == 200 for p in passes)

            async def refreshed() -> dict[str, Any] | None:
                shown = (await http.get(f"{one}/shops/{shop_id}")).json()
                return shown if audit_of(shown, "refresh", "ok") else None

            await until(refreshed)
            await asyncio.sleep(1.0)  # both loops ran many more passes meanwhile
        finally:
            await http.delete(f"{sandbox_url}/sandbox/faults")
        assert fault["kind"] == "latency"
        shown = (await http.get(f"{two}/shops/{shop_id}")).json()
        assert shown["status"] == "active", shown["status_reason"]
        assert len(audit_of(shown, "refresh")) == 1, audit_of(shown, "refresh")
        assert await served(http, sandbox_url, REFRESH_PATH) - before == 1


async def test_transient_refresh_failure_keeps_the_shop_active_and_is_audited(make_auth_settings, sandbox_url, unique):
    """R3: TikTok down during a refresh is not a reason to ask for re-authorisation; the attempt is audited."""
    settings = make_auth_settings(refresh_check_interval_s=3600)
    async with serve_app(build_app(settings)) as auth, httpx.AsyncClient(timeout=30) as http:
        shop = await connect_shop(http, auth, sandbox_url, name=f"flaky-{unique}", tax_id=f"T-{unique}")
        await sandbox(http, "POST", f"{sandbox_url}/sandbox/faults",
                      json={"kind": "error_5xx", "rate": 1.0, "path": "/api/v2/token/refresh", "duration_s": 30})
        try:
            r = await http.post(f"{auth}/shops/{shop['shop_id']}/refresh")
        finally:
            await http.delete(f"{sandbox_url}/sandbox/faults")
        assert r.status_code == 502 and "36009003" in r.text
        shown = (await http.get(f"{auth}/shops/{shop['shop_id']}")).json()
        assert shown["status"] == "active"
        assert any(a["action"] == "refresh" and a["outcome"] == "retry" for a in shown["audit"])
        assert (await http.post(f"{auth}/shops/{shop['shop_id']}/refresh")).status_code == 200
