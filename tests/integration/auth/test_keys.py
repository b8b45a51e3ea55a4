"""Key rotation of the tokens encrypted at rest (R6), across restarts of the auth service."""

from __future__ import annotations

import asyncpg
import httpx
import pytest
from cryptography.fernet import Fernet
from pydantic import SecretStr

from services.auth.app import build_app
from services.auth.secrets_box import SecretBox, SecretBoxError
from tests.integration.auth.conftest import connect_shop
from tests.support.servers import serve_app

pytestmark = pytest.mark.integration


async def _stored(dsn: str, shop_id: str) -> tuple[bytes, bytes]:
    conn = await asyncpg.connect(dsn)
    try:
        row = await conn.fetchrow("SELECT access_token, refresh_token FROM auth.shops WHERE shop_id = $1", shop_id)
    finally:
        await conn.close()
    assert row is not None
    return row["access_token"], row["refresh_token"]


async def test_rotate_keys_rewrites_every_token_with_the_new_key(
    make_auth_settings, pg_dsn, sandbox_url, internal_token, encryption_key, unique
):
    """R6: written with key A; restarted with "B,A" and rotated; afterwards "B" alone decrypts every
    stored token (and A no longer does), and the service works with B alone."""
    key_a, key_b = encryption_key, Fernet.generate_key().decode()
    bearer = {"Authorization": f"Bearer {internal_token}"}
    async with httpx.AsyncClient(timeout=30) as http:
        async with serve_app(build_app(make_auth_settings(encryption_keys=key_a))) as auth:
            shop = await connect_shop(http, auth, sandbox_url, name=f"keys-{unique}", tax_id=f"T{unique}")
            shop_id = shop["shop_id"]
            token = (await http.get(f"{auth}/internal/shops/{shop_id}/token", headers=bearer)).json()["access_token"]
        with pytest.raises(SecretBoxError):
            SecretBox(SecretStr(key_b)).decrypt((await _stored(pg_dsn, shop_id))[0])

        async with serve_app(build_app(make_auth_settings(encryption_keys=f"{key_b},{key_a}"))) as auth:
            assert (await http.get(f"{auth}/internal/shops/{shop_id}/token", headers=bearer)).status_code == 200
            rotated = await http.post(f"{auth}/admin/rotate-keys")
            assert rotated.status_code == 200 and rotated.json() == {"shops": 1, "secrets": 2}

        access, refresh = await _stored(pg_dsn, shop_id)
        only_b = SecretBox(SecretStr(key_b))
        assert only_b.decrypt(access).get_secret_value() == token
        assert only_b.decrypt(refresh).get_secret_value()
        assert token.encode() not in access
        with pytest.raises(SecretBoxError):
            SecretBox(SecretStr(key_a)).decrypt(access)

        async with serve_app(build_app(make_auth_settings(encryption_keys=key_b))) as auth:
            tok = await http.get(f"{auth}/internal/shops/{shop_id}/token", headers=bearer)
            assert tok.status_code == 200 and tok.json()["access_token"] == token
            assert (await http.post(f"{auth}/shops/{shop_id}/test")).status_code == 200
            assert (await http.post(f"{auth}/shops/{shop_id}/refresh")).status_code == 200


async def test_rotate_keys_refuses_when_a_token_cannot_be_decrypted(
    make_auth_settings, pg_dsn, sandbox_url, encryption_key, unique
):
    """R6: restarted with a key list that lacks the old key, rotation stops with a clear error and
    rewrites nothing (the stored bytes are unchanged)."""
    async with httpx.AsyncClient(timeout=30) as http:
        async with serve_app(build_app(make_auth_settings())) as auth:
            shop = await connect_shop(http, auth, sandbox_url, name=f"nokey-{unique}", tax_id=f"T{unique}")
        before = await _stored(pg_dsn, shop["shop_id"])
        async with serve_app(build_app(make_auth_settings(encryption_keys=Fernet.generate_key().decode()))) as auth:
            r = await http.post(f"{auth}/admin/rotate-keys")
            assert r.status_code == 500 and r.json()["error"]["code"] == "undecryptable_secret"
            assert encryption_key not in r.text
        assert await _stored(pg_dsn, shop["shop_id"]) == before
