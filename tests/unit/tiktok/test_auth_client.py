"""TikTok's token endpoints: request shape, parsing and secret hygiene."""

from __future__ import annotations

import httpx
import pytest
from pydantic import SecretStr

from libs.common.tiktok.auth_client import TikTokAuthClient
from libs.common.tiktok.errors import RefreshTokenExpired, TikTokError, TikTokUnavailable

SECRET = "app-secret-123"
GRANT = {
    "access_token": "acc-1", "access_token_expire_in": 1_700_604_800,
    "refresh_token": "ref-1", "refresh_token_expire_in": 1_710_000_000,
    "open_id": "oid", "seller_name": "Shop", "seller_base_region": "US", "user_type": 0,
    "granted_scopes": ["seller.order.info"],
}


def client(handler) -> tuple[TikTokAuthClient, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return handler(request)

    http = httpx.AsyncClient(transport=httpx.MockTransport(record))
    return TikTokAuthClient(http, "https://auth.test", "key-1", SecretStr(SECRET)), seen


async def test_get_token_sends_code_and_parses_grant() -> None:
    auth, seen = client(lambda r: httpx.Response(200, json={"code": 0, "message": "success", "data": GRANT}))
    grant = await auth.get_token("code-abc")
    assert seen[0].method == "GET" and seen[0].url.path == "/api/v2/token/get"
    assert dict(seen[0].url.params) == {
        "app_key": "key-1", "app_secret": SECRET, "auth_code": "code-abc", "grant_type": "authorized_code",
    }
    assert grant.access_token.get_secret_value() == "acc-1" and grant.access_token_expire_in == 1_700_604_800
    assert grant.granted_scopes == ["seller.order.info"] and grant.seller_base_region == "US"
    assert "acc-1" not in repr(grant) and "ref-1" not in repr(grant)


async def test_refresh_sends_refresh_token() -> None:
    auth, seen = client(lambda r: httpx.Response(200, json={"code": 0, "message": "success", "data": GRANT}))
    await auth.refresh(SecretStr("ref-0"))
    assert seen[0].url.path == "/api/v2/token/refresh"
    assert seen[0].url.params["refresh_token"] == "ref-0"
    assert seen[0].url.params["grant_type"] == "refresh_token"


async def test_expired_refresh_token_is_typed_and_leaks_nothing() -> None:
    body = {"code": 36004001, "message": f"refresh token ref-0 expired ({SECRET})", "request_id": "r1", "data": None}
    auth, _ = client(lambda r: httpx.Response(200, json=body))
    with pytest.raises(RefreshTokenExpired) as info:
        await auth.refresh(SecretStr("ref-0"))
    assert info.value.request_id == "r1" and info.value.path == "/api/v2/token/refresh"
    for text in (str(info.value), repr(info.value), repr(auth)):
        assert SECRET not in text and "ref-0" not in text


async def test_incomplete_grant_names_fields_not_values() -> None:
    data = {"access_token": "acc-1"}
    auth, _ = client(lambda r: httpx.Response(200, json={"code": 0, "message": "ok", "data": data}))
    with pytest.raises(TikTokError, match="refresh_token") as info:
        await auth.get_token("code-abc")
    assert "acc-1" not in str(info.value) and "code-abc" not in str(info.value)


async def test_network_error_is_unavailable_without_url() -> None:
    def fail(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(f"cannot reach {request.url}", request=request)

    auth, _ = client(fail)
    with pytest.raises(TikTokUnavailable) as info:
        await auth.get_token("code-abc")
    assert info.value.transient
    assert SECRET not in str(info.value) and "code-abc" not in str(info.value)
    assert info.value.__cause__ is None and info.value.__suppress_context__
