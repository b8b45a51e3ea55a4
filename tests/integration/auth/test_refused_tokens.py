"""Issue 8, the auth side: a token TikTok refuses is refreshed once however many services report it, a
refusal that a refresh cannot cure makes the shop ``needs_reauthorization``, and every new token is
announced on ``shops.changed`` with its generation, so other services drop the old one at once."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from services.auth.app import build_app
from tests.integration.auth.conftest import audit_of, connect_shop, served
from tests.support.servers import serve_app
from tests.support.stack import collect, sandbox

pytestmark = pytest.mark.integration

REFRESH_PATH = "/api/v2/token/refresh"


async def test_a_token_expired_early_is_refreshed_once_however_many_callers_report_it(
    make_auth_settings, kafka_bootstrap, sandbox_url, internal_token, unique
):
    """TikTok ends the access token before its announced expiry; twelve callers on two auth replicas
    report the refused generation at once (TikTok slowed down, so they overlap): one refresh on TikTok,
    all get the same new token of the next generation, it works, and ShopSettingsChanged carries it."""
    settings = make_auth_settings(refresh_check_interval_s=3600)
    bearer = {"Authorization": f"Bearer {internal_token}"}
    async with (
        serve_app(build_app(settings)) as one,
        serve_app(build_app(settings)) as two,
        httpx.AsyncClient(timeout=30) as http,
    ):
        shop = await connect_shop(http, one, sandbox_url, name=f"early-{unique}", tax_id=f"T{unique}")
        shop_id = shop["shop_id"]
        first = (await http.get(f"{one}/internal/shops/{shop_id}/token", headers=bearer)).json()
        assert first["token_generation"] == shop["token_generation"] >= 1
        await sandbox(http, "POST", f"{sandbox_url}/sandbox/tokens/expire", json={"shop_id": shop_id})
        before = await served(http, sandbox_url, REFRESH_PATH)
        await sandbox(http, "POST", f"{sandbox_url}/sandbox/faults",
                      json={"kind": "latency", "latency_ms": 400, "path": REFRESH_PATH, "duration_s": 10})
        try:
            answers = await asyncio.gather(*(
                http.get(f"{url}/internal/shops/{shop_id}/token", headers=bearer,
                         params={"refused_generation": first["token_generation"]})
                for url in (one, two) * 6
            ))
        finally:
            await http.delete(f"{sandbox_url}/sandbox/faults")
        assert [a.status_code for a in answers] == [200] * 12, [a.text for a in answers]
        tokens = {(a.json()["access_token"], a.json()["token_generation"]) for a in answers}
        assert len(tokens) == 1
        [(new_token, generation)] = tokens
        assert new_token != first["access_token"] and generation == first["token_generation"] + 1
        assert await served(http, sandbox_url, REFRESH_PATH) - before == 1

        # the same answer without a refusal: no further refresh
        again = (await http.get(f"{two}/internal/shops/{shop_id}/token", headers=bearer)).json()
        assert again["access_token"] == new_token
        assert (await http.post(f"{one}/shops/{shop_id}/test")).status_code == 200  # the new token works
        assert await served(http, sandbox_url, REFRESH_PATH) - before == 1

        changed = await collect(kafka_bootstrap, "shops.changed", count=1, timeout_s=20, predicate=lambda e: (
            e["type"] == "ShopSettingsChanged" and e["data"]["shop_id"] == shop_id
            and e["data"]["token_generation"] == generation))
        assert changed and changed[0]["data"]["status"] == "active"
        assert "access_token" not in str(changed[0]) and new_token not in str(changed[0])


async def test_revoked_tokens_reported_by_a_caller_make_the_shop_need_reauthorization(
    make_auth_settings, kafka_bootstrap, sandbox_url, internal_token, unique
):
    """TikTok revoked the tokens without a webhook: the first caller that reports the refusal makes auth
    try a refresh, which TikTok refuses (36004001), so the shop is needs_reauthorization, says why, and
    ShopSettingsChanged tells every service; the token endpoint answers 409 from then on."""
    settings = make_auth_settings(refresh_check_interval_s=3600)
    bearer = {"Authorization": f"Bearer {internal_token}"}
    async with serve_app(build_app(settings)) as auth, httpx.AsyncClient(timeout=30) as http:
        shop = await connect_shop(http, auth, sandbox_url, name=f"revoked-{unique}", tax_id=f"T{unique}")
        shop_id = shop["shop_id"]
        await sandbox(http, "POST", f"{sandbox_url}/sandbox/faults", json={"kind": "revoke_tokens",
                                                                            "shop_id": shop_id})
        r = await http.get(f"{auth}/internal/shops/{shop_id}/token", headers=bearer,
                           params={"refused_generation": shop["token_generation"]})
        assert r.status_code == 409 and "reconnect" in r.text
        listed = next(s for s in (await http.get(f"{auth}/shops")).json()["shops"] if s["shop_id"] == shop_id)
        assert listed["status"] == "needs_reauthorization"
        assert "refresh token expired or revoked" in listed["status_reason"]
        assert (await http.get(f"{auth}/internal/shops/{shop_id}/token", headers=bearer)).status_code == 409
        changed = await collect(kafka_bootstrap, "shops.changed", count=1, timeout_s=20, predicate=lambda e: (
            e["type"] == "ShopSettingsChanged" and e["data"]["shop_id"] == shop_id
            and e["data"]["status"] == "needs_reauthorization"))
        assert changed and "reconnect" in changed[0]["data"]["reason"]


async def test_shops_test_marks_a_shop_whose_tokens_tikTok_refuses(make_auth_settings, sandbox_url, unique):
    """`ttshop shops test` finds the tokens refused: it tries the refresh, and when that fails too the shop
    is no longer shown as active."""
    settings = make_auth_settings(refresh_check_interval_s=3600)
    async with serve_app(build_app(settings)) as auth, httpx.AsyncClient(timeout=30) as http:
        shop = await connect_shop(http, auth, sandbox_url, name=f"tested-{unique}", tax_id=f"T{unique}")
        shop_id = shop["shop_id"]
        await sandbox(http, "POST", f"{sandbox_url}/sandbox/faults", json={"kind": "revoke_tokens",
                                                                            "shop_id": shop_id})
        r = await http.post(f"{auth}/shops/{shop_id}/test")
        assert r.status_code == 409 and "refresh token expired or revoked" in r.text
        shown = (await http.get(f"{auth}/shops/{shop_id}")).json()
        assert shown["status"] == "needs_reauthorization"
        assert audit_of(shown, "refresh", "needs_reauthorization")


async def test_reconnecting_announces_the_new_token_generation(
    make_auth_settings, kafka_bootstrap, sandbox_url, internal_token, unique
):
    """After the seller removed the app and authorised it again, `shops connect` with the fresh code makes
    the shop active with the next token generation, announced by ShopConnected and ShopSettingsChanged."""
    settings = make_auth_settings(refresh_check_interval_s=3600)
    bearer = {"Authorization": f"Bearer {internal_token}"}
    async with serve_app(build_app(settings)) as auth, httpx.AsyncClient(timeout=30) as http:
        name = f"again-{unique}"
        shop = await connect_shop(http, auth, sandbox_url, name=name, tax_id=f"T{unique}")
        shop_id = shop["shop_id"]
        await sandbox(http, "POST", f"{sandbox_url}/sandbox/shops/{shop_id}/deauthorize")
        r = await http.get(f"{auth}/internal/shops/{shop_id}/token", headers=bearer,
                           params={"refused_generation": shop["token_generation"]})
        assert r.status_code == 409
        code = (await sandbox(http, "POST", f"{sandbox_url}/sandbox/sellers/{shop_id}/auth-codes"))["auth_code"]
        r = await http.post(f"{auth}/shops/connect", json={"auth_code": code, "tax_id": f"T{unique}", "name": name})
        assert r.status_code == 201, r.text
        again = r.json()["shops"][0]
        assert again["status"] == "active" and again["token_generation"] == shop["token_generation"] + 1
        token = (await http.get(f"{auth}/internal/shops/{shop_id}/token", headers=bearer)).json()
        assert token["token_generation"] == again["token_generation"]
        for kind in ("ShopConnected", "ShopSettingsChanged"):
            seen = await collect(kafka_bootstrap, "shops.changed", count=1, timeout_s=20, predicate=lambda e, k=kind: (
                e["type"] == k and e["data"]["shop_id"] == shop_id
                and e["data"]["token_generation"] == again["token_generation"]))
            assert seen and seen[0]["data"]["status"] == "active", kind
