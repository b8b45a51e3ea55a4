"""Request verification on the API host: app_key, timestamp window, sign, token, shop_cipher, rate limit."""

from __future__ import annotations

import time
from typing import Any

from tests.unit.sandbox.conftest import Sandbox, Shop, make_settings, open_sandbox

SHOPS = "/authorization/202309/shops"
WAREHOUSES = "/logistics/202309/warehouses"


async def test_signed_call_succeeds_with_unique_request_ids(sandbox: Sandbox, shop: Shop) -> None:
    first = (await sandbox.call("GET", SHOPS, shop=shop, cipher="")).json()
    second = (await sandbox.call("GET", SHOPS, shop=shop, cipher="")).json()
    assert first["code"] == 0 and first["data"]["shops"][0]["cipher"] == shop.cipher
    assert set(first) == {"code", "message", "request_id", "data"}
    assert first["request_id"] != second["request_id"]


async def test_bad_sign_is_106001(sandbox: Sandbox, shop: Shop) -> None:
    tampered = await sandbox.call("GET", WAREHOUSES, shop=shop, tamper_sign=True)
    wrong_secret = await sandbox.call("GET", WAREHOUSES, shop=shop, secret="not-the-secret")
    assert tampered.json()["code"] == 106001
    assert wrong_secret.json()["code"] == 106001
    assert "not-the-secret" not in wrong_secret.text


async def test_body_is_part_of_the_signature(sandbox: Sandbox, shop: Shop) -> None:
    from libs.common.tiktok.signing import sign

    path = "/order/202309/orders/search"
    query: dict[str, Any] = {
        "app_key": "test-app",
        "timestamp": int(time.time()),
        "shop_cipher": shop.cipher,
        "page_size": 5,
    }
    query["sign"] = sign("test-secret", path, query, b'{"order_status":"ON_HOLD"}')
    response = await sandbox.http.post(
        path,
        params=query,
        content=b'{"order_status":"CANCELLED"}',
        headers={"x-tts-access-token": shop.access_token, "content-type": "application/json"},
    )
    assert response.json()["code"] == 106001


async def test_timestamp_outside_window(sandbox: Sandbox, shop: Shop) -> None:
    now = int(time.time())
    old = (await sandbox.call("GET", WAREHOUSES, shop=shop, timestamp=now - 301)).json()
    ahead = (await sandbox.call("GET", WAREHOUSES, shop=shop, timestamp=now + 60)).json()
    edge = (await sandbox.call("GET", WAREHOUSES, shop=shop, timestamp=now - 290)).json()
    assert old["code"] == 36009004 and "timestamp is outside the window" in old["message"]
    assert ahead["code"] == 36009004
    assert edge["code"] == 0


async def test_wrong_app_key_is_refused(sandbox: Sandbox, shop: Shop) -> None:
    response = await sandbox.http.get(WAREHOUSES, params={"app_key": "other", "timestamp": int(time.time())})
    assert response.json()["code"] == 36009004


async def test_missing_and_unknown_token(sandbox: Sandbox, shop: Shop) -> None:
    missing = await sandbox.call("GET", WAREHOUSES, cipher=shop.cipher, token=None)
    unknown = await sandbox.call("GET", WAREHOUSES, cipher=shop.cipher, token="TTP_nope")
    refresh_as_access = await sandbox.call("GET", WAREHOUSES, cipher=shop.cipher, token=shop.refresh_token)
    for response in (missing, unknown, refresh_as_access):
        assert response.status_code == 401
        assert response.json()["code"] == 36009004
        assert "invalid access token" in response.json()["message"]


async def test_expired_token_is_105002(sandbox: Sandbox, shop: Shop) -> None:
    expired = await sandbox.control("POST", "/sandbox/tokens/expire", {"shop_id": shop.shop_id})
    assert expired["expired"] == 1
    response = await sandbox.call("GET", WAREHOUSES, shop=shop)
    assert (response.status_code, response.json()["code"]) == (401, 105002)


async def test_revoked_token_is_invalid(sandbox: Sandbox, shop: Shop) -> None:
    other = await sandbox.new_shop(name="Other")
    await sandbox.control("POST", "/sandbox/faults", {"kind": "revoke_tokens", "shop_id": shop.shop_id})
    assert (await sandbox.call("GET", WAREHOUSES, shop=shop)).json()["code"] == 36009004
    assert (await sandbox.call("GET", WAREHOUSES, shop=other)).json()["code"] == 0


async def test_shop_cipher_missing_forbidden_or_foreign(sandbox: Sandbox, shop: Shop) -> None:
    other = await sandbox.new_shop(name="Other")
    missing = (await sandbox.call("GET", WAREHOUSES, shop=shop, cipher="")).json()
    forbidden = (await sandbox.call("GET", SHOPS, shop=shop)).json()
    foreign = (await sandbox.call("GET", WAREHOUSES, shop=shop, cipher=other.cipher)).json()
    assert missing["code"] == 106013
    assert forbidden["code"] == 36009004 and "shop_cipher" in forbidden["message"]
    assert foreign["code"] == 36009004


async def test_rate_limit_per_shop_and_endpoint() -> None:
    async for box in open_sandbox(make_settings(rate_limit_qps=3)):
        shop = await box.new_shop()
        other = await box.new_shop()
        codes = [(await box.call("GET", WAREHOUSES, shop=shop)).json()["code"] for _ in range(3)]
        limited = await box.call("GET", WAREHOUSES, shop=shop)
        other_endpoint = await box.call(
            "POST", "/order/202309/orders/search", shop=shop, params={"page_size": 10}, body={}
        )
        other_shop = await box.call("GET", WAREHOUSES, shop=other)
        assert codes == [0, 0, 0]
        assert (limited.status_code, limited.json()["code"]) == (429, 36009002)
        assert other_endpoint.json()["code"] == 0
        assert other_shop.json()["code"] == 0


async def test_unknown_path_answers_with_envelope(sandbox: Sandbox) -> None:
    response = await sandbox.http.get("/nothing/202309/here")
    assert response.status_code == 404
    assert set(response.json()) == {"code", "message", "request_id", "data"}
