"""Auth host: code exchange (single use, expiry), refresh (rotation, revocation), app credentials."""

from __future__ import annotations

import time

from tests.support.clock import FakeClock
from tests.unit.sandbox.conftest import Sandbox, Shop, make_settings, open_sandbox


async def test_token_response_fields(sandbox: Sandbox) -> None:
    created = await sandbox.control("POST", "/sandbox/sellers", {"name": "Acme", "region": "US"})
    before = int(time.time())
    payload = await sandbox.exchange(created["auth_code"])
    data = payload["data"]
    assert payload["code"] == 0
    assert data["seller_name"] == "Acme" and data["seller_base_region"] == "US"
    assert data["access_token_expire_in"] >= before + 7 * 86400 - 5
    assert data["refresh_token_expire_in"] > data["access_token_expire_in"]
    assert data["open_id"] and data["granted_scopes"]
    assert created["app_key"] == "test-app"


async def test_auth_code_works_once(sandbox: Sandbox) -> None:
    created = await sandbox.control("POST", "/sandbox/sellers", {})
    assert (await sandbox.exchange(created["auth_code"]))["code"] == 0
    again = await sandbox.exchange(created["auth_code"])
    assert again["code"] == 36004004 and "auth code invalid or expired" in again["message"]
    fresh = await sandbox.control("POST", f"/sandbox/sellers/{created['shop_id']}/auth-codes")
    assert (await sandbox.exchange(fresh["auth_code"]))["code"] == 0


async def test_auth_code_expires() -> None:
    clock = FakeClock()
    async for box in open_sandbox(make_settings(auth_code_ttl_s=1800), clock=clock):
        created = await box.control("POST", "/sandbox/sellers", {})
        clock.now += 1801
        assert (await box.exchange(created["auth_code"]))["code"] == 36004004


async def test_wrong_app_secret_is_refused(sandbox: Sandbox) -> None:
    created = await sandbox.control("POST", "/sandbox/sellers", {})
    refused = await sandbox.exchange(created["auth_code"], secret="wrong")
    assert refused["code"] == 36009004 and "wrong" not in refused["message"]
    assert (await sandbox.exchange(created["auth_code"]))["code"] == 0  # the code was not burnt


async def test_refresh_rotates_tokens(sandbox: Sandbox, shop: Shop) -> None:
    refreshed = await sandbox.refresh(shop.refresh_token)
    assert refreshed["code"] == 0
    new_access = refreshed["data"]["access_token"]
    assert new_access != shop.access_token
    warehouses = "/logistics/202309/warehouses"
    assert (await sandbox.call("GET", warehouses, shop=shop, token=new_access)).json()["code"] == 0
    assert (await sandbox.call("GET", warehouses, shop=shop)).json()["code"] == 0  # old one until expiry
    assert (await sandbox.refresh(shop.refresh_token))["code"] == 36004001  # rotated away
    assert (await sandbox.refresh(refreshed["data"]["refresh_token"]))["code"] == 0


async def test_refresh_of_revoked_or_expired_token_is_36004001() -> None:
    clock = FakeClock()
    async for box in open_sandbox(make_settings(refresh_token_ttl_s=100), clock=clock):
        revoked = await box.new_shop()
        await box.control("POST", "/sandbox/faults", {"kind": "revoke_tokens", "shop_id": revoked.shop_id})
        assert (await box.refresh(revoked.refresh_token))["code"] == 36004001
        aged = await box.new_shop()
        clock.now += 101
        assert (await box.refresh(aged.refresh_token))["code"] == 36004001
        assert (await box.refresh("garbage"))["code"] == 36004001


async def test_authorized_shops_lists_the_sellers_shop(sandbox: Sandbox, shop: Shop) -> None:
    await sandbox.new_shop(name="Someone else")
    data = (await sandbox.call("GET", "/authorization/202309/shops", shop=shop, cipher="")).json()["data"]
    assert [s["id"] for s in data["shops"]] == [shop.shop_id]
    assert set(data["shops"][0]) >= {"id", "name", "region", "seller_type", "cipher", "code"}
