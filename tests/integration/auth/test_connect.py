"""Auth service against real Postgres, the broker and the sandbox (R1, R2, R4, R5, R6)."""

from __future__ import annotations

import asyncio

import asyncpg
import httpx
import pytest

from libs.sandbox.app import create_app as create_sandbox
from libs.sandbox.settings import SandboxSettings
from services.auth.app import build_app
from services.auth.settings import AuthSettings
from tests.support.servers import serve_app
from tests.support.stack import collect, sandbox, shared_settings

pytestmark = pytest.mark.integration


@pytest.fixture
def auth_settings(pg_dsn, kafka_bootstrap, sandbox_url, internal_token, encryption_key) -> AuthSettings:
    return AuthSettings(
        **shared_settings(pg_dsn=pg_dsn, kafka_bootstrap=kafka_bootstrap, sandbox_url=sandbox_url,
                          internal_token=internal_token),
        encryption_keys=encryption_key, port=0,
    )


async def test_connect_test_settings_and_token_handout(auth_settings, sandbox_url, internal_token, kafka_bootstrap, unique):
    async with serve_app(build_app(auth_settings)) as auth, httpx.AsyncClient(timeout=30) as http:
        seller = await sandbox(http, "POST", f"{sandbox_url}/sandbox/sellers", json={"name": f"Acme {unique}"})
        r = await http.post(f"{auth}/shops/connect",
                            json={"auth_code": seller["auth_code"], "tax_id": f"TAX{unique}", "name": f"acme-{unique}"})
        assert r.status_code == 201, r.text
        shop = r.json()["shops"][0]
        assert shop["shop_id"] == seller["shop_id"]
        assert shop["shop_cipher"] == seller["shop_cipher"]
        assert shop["default_warehouse_id"]  # R4 filled in by the test after connect
        assert shop["access_token_expires_in"] > 3600
        assert "access_token" not in shop

        # the same auth code a second time: TikTok's error, with its code
        again = await http.post(f"{auth}/shops/connect",
                                json={"auth_code": seller["auth_code"], "tax_id": f"TAX{unique}"})
        assert again.status_code == 502
        assert again.json()["error"]["code"] == "tiktok_36004004"  # R2: TikTok's own code and words
        assert "auth code invalid or expired" in again.json()["error"]["message"]
        assert seller["auth_code"] not in again.text

        # R5: a switch change is stored and published, by name or id
        r = await http.patch(f"{auth}/shops/acme-{unique}/settings", json={"allow_order_download": True})
        assert r.status_code == 200, r.text
        assert r.json()["settings"]["allow_order_download"] is True
        bad = await http.patch(f"{auth}/shops/acme-{unique}/settings", json={"allow_everything": True})
        assert bad.status_code == 400 and "unknown setting" in bad.json()["error"]["message"]

        # internal token endpoint: only with the service credential
        assert (await http.get(f"{auth}/internal/shops/{shop['shop_id']}/token")).status_code == 401
        tok = await http.get(f"{auth}/internal/shops/{shop['shop_id']}/token",
                             headers={"Authorization": f"Bearer {internal_token}"})
        assert tok.status_code == 200 and tok.json()["shop_cipher"] == seller["shop_cipher"]
        access_token = tok.json()["access_token"]

        events = await collect(kafka_bootstrap, "shops.changed", count=2,
                               predicate=lambda e: e.get("shopid") == shop["shop_id"])
        types = [e["type"] for e in events]
        assert "ShopConnected" in types and "ShopSettingsChanged" in types
        assert all(access_token not in str(e) for e in events)

    # R6: the stored bytes do not contain the token
    conn = await asyncpg.connect(auth_settings.database_url)
    try:
        stored = await conn.fetchval("SELECT access_token FROM auth.shops WHERE shop_id = $1", shop["shop_id"])
    finally:
        await conn.close()
    assert stored and access_token.encode() not in stored


async def test_sixth_shop_on_a_tax_id_is_refused(auth_settings, sandbox_url, unique):
    async with serve_app(build_app(auth_settings)) as auth, httpx.AsyncClient(timeout=30) as http:
        for i in range(5):
            seller = await sandbox(http, "POST", f"{sandbox_url}/sandbox/sellers", json={"name": f"s{i}-{unique}"})
            r = await http.post(f"{auth}/shops/connect", json={"auth_code": seller["auth_code"], "tax_id": "TAX-5"})
            assert r.status_code == 201, r.text
        sixth = await sandbox(http, "POST", f"{sandbox_url}/sandbox/sellers", json={"name": f"s6-{unique}"})
        r = await http.post(f"{auth}/shops/connect", json={"auth_code": sixth["auth_code"], "tax_id": "TAX-5"})
        assert r.status_code == 409
        message = r.json()["error"]["message"]
        assert "TAX-5" in message and "at most 5" in message
        assert all(f"s{i}-{unique}" in message for i in range(5))  # names the 5 shops already on it
        listed = (await http.get(f"{auth}/shops")).json()["shops"]
        assert sixth["shop_id"] not in [s["shop_id"] for s in listed] and len(listed) == 5


async def test_expired_auth_code_gives_tiktoks_error(auth_settings, pg_dsn, unique):
    """R2: a code older than its lifetime (1 s on this sandbox) is refused with TikTok's code and message,
    and the failed attempt is audited."""
    quick = create_sandbox(SandboxSettings(webhook_url="", auth_code_ttl_s=1))
    async with serve_app(quick, ready_path="/healthz") as quick_url:
        settings = auth_settings.model_copy(update={"tiktok_api_base_url": quick_url,
                                                    "tiktok_auth_base_url": quick_url})
        async with serve_app(build_app(settings)) as auth, httpx.AsyncClient(timeout=30) as http:
            seller = await sandbox(http, "POST", f"{quick_url}/sandbox/sellers", json={"name": f"late-{unique}"})
            await asyncio.sleep(1.2)
            r = await http.post(f"{auth}/shops/connect", json={"auth_code": seller["auth_code"], "tax_id": "T1"})
            assert r.status_code == 502
            error = r.json()["error"]
            assert error["code"] == "tiktok_36004004" and "auth code invalid or expired" in error["message"]
            assert (await http.get(f"{auth}/shops")).json()["shops"] == []
    conn = await asyncpg.connect(pg_dsn)
    try:
        failed = await conn.fetch("SELECT detail FROM auth.audit_log WHERE action = 'connect' AND outcome = 'failed'")
    finally:
        await conn.close()
    assert len(failed) == 1 and "36004004" in failed[0]["detail"]


async def test_expired_token_is_refreshed_before_handout(auth_settings, sandbox_url, internal_token, unique):
    async with serve_app(build_app(auth_settings)) as auth, httpx.AsyncClient(timeout=30) as http:
        seller = await sandbox(http, "POST", f"{sandbox_url}/sandbox/sellers", json={"name": f"x-{unique}"})
        r = await http.post(f"{auth}/shops/connect", json={"auth_code": seller["auth_code"], "tax_id": f"T{unique}"})
        assert r.status_code == 201, r.text
        await sandbox(http, "POST", f"{sandbox_url}/sandbox/tokens/expire", json={"shop_id": seller["shop_id"]})
        # test settings calls TikTok with the (now expired) token: 105002 -> refresh -> retry succeeds
        r = await http.post(f"{auth}/shops/{seller['shop_id']}/test")
        assert r.status_code == 200, r.text
        shown = (await http.get(f"{auth}/shops/{seller['shop_id']}")).json()
        assert any(a["action"] == "refresh" and a["outcome"] == "ok" for a in shown["audit"])
