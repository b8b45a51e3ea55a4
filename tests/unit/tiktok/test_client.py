"""What the signed client puts on the wire and how it reads TikTok's envelope."""

from __future__ import annotations

import json

import httpx
import pytest
from pydantic import SecretStr

from libs.common.tiktok import signing
from libs.common.tiktok.errors import (
    BAD_RESPONSE_CODE,
    DuplicateTrackingNumber,
    ScopeDenied,
    TikTokError,
)
from libs.common.tiktok.ratelimit import RateLimiter

from .conftest import APP_SECRET, FakeTokens, envelope, ok, sent_json


async def test_documented_signing_vector_through_the_client(make_client) -> None:
    client, api = make_client(
        [ok({"shops": []})],
        app_key="29a39d",
        app_secret=SecretStr("e59af819cc"),
        clock=lambda: 1623812664.7,
    )
    await client.call("GET", "/authorization/202309/shops")
    query = dict(api.requests[0].url.params)
    assert query == {
        "app_key": "29a39d",
        "timestamp": "1623812664",
        "sign": "b596b73e0cc6de07ac26f036364178ab16b0a907af13d43f0a0cd2345f582dc8",
    }


async def test_post_json_signs_the_exact_bytes_sent(make_client) -> None:
    tokens = FakeTokens()
    client, api = make_client([ok({"package_id": "P1"})], tokens=tokens)
    body = {"tracking_number": "1Z999", "order_line_item_ids": ["a", "b"], "note": "café"}
    data = await client.call(
        "POST", "/fulfillment/202309/orders/O1/packages", shop_id="S1", json=body, params={"x": [1, 2]}
    )
    assert data == {"package_id": "P1"}
    request = api.requests[0]
    params = dict(request.url.params)
    given = params.pop("sign")
    assert params["shop_cipher"] == "cipher-abc" and params["x"] == "1,2"
    assert signing.verify(APP_SECRET, request.url.path, params, request.content, given)
    # a tampered body must not verify, so the check above is meaningful
    assert not signing.verify(APP_SECRET, request.url.path, params, request.content + b" ", given)
    assert sent_json(request) == body
    assert b": " not in request.content and b", " not in request.content  # compact
    assert request.headers["content-type"] == "application/json"
    assert request.headers["x-tts-access-token"] == "token-1"


async def test_multipart_upload_is_signed_without_body_and_without_cipher(make_client) -> None:
    client, api = make_client([ok({"uri": "img-1"})], tokens=FakeTokens())
    await client.call(
        "POST", "/product/202309/images/upload", shop_id="S1",
        files={"data": ("a.png", b"\x89PNG...", "image/png")}, data={"use_case": "MAIN_IMAGE"},
    )
    request = api.requests[0]
    params = dict(request.url.params)
    given = params.pop("sign")
    assert "shop_cipher" not in params
    assert request.headers["content-type"].startswith("multipart/form-data")
    assert signing.verify(APP_SECRET, request.url.path, params, request.content, given, multipart=True)


@pytest.mark.parametrize(
    ("path", "shop_scoped", "cipher", "expected"),
    [
        ("/order/202309/orders/search", True, "cipher-abc", "cipher-abc"),
        ("/order/202309/orders/search", False, "cipher-abc", None),
        ("/order/202309/orders/search", True, None, None),
        ("/authorization/202309/shops", True, "cipher-abc", None),
        ("/seller/202309/shops", True, "cipher-abc", None),
    ],
)
async def test_shop_cipher_added_only_where_it_belongs(make_client, path, shop_scoped, cipher, expected) -> None:
    client, api = make_client([ok({})], tokens=FakeTokens(cipher=cipher))
    await client.call("GET", path, shop_id="S1", shop_scoped=shop_scoped)
    assert api.requests[0].url.params.get("shop_cipher") == expected


async def test_explicit_access_token_bypasses_the_provider(make_client) -> None:
    tokens = FakeTokens()
    client, api = make_client([ok({"shops": []})], tokens=tokens)
    await client.call("GET", "/authorization/202309/shops", access_token=SecretStr("fresh-grant"))
    assert api.requests[0].headers["x-tts-access-token"] == "fresh-grant"
    assert tokens.gets == 0


async def test_error_envelope_becomes_typed_error_without_retry(make_client, sleep) -> None:
    client, api = make_client(
        [httpx.Response(200, json=envelope(code=105005, message="scope not granted", request_id="rq-9"))],
        tokens=FakeTokens(),
    )
    with pytest.raises(ScopeDenied) as info:
        await client.call("GET", "/finance/202309/statements", shop_id="S1")
    err = info.value
    assert (err.code, err.message, err.request_id, err.http_status) == (105005, "scope not granted", "rq-9", 200)
    assert err.path == "/finance/202309/statements" and not err.transient
    assert str(err) == "TikTok error 105005 on /finance/202309/statements: scope not granted (request_id rq-9)"
    assert len(api.requests) == 1 and sleep.delays == []


async def test_duplicate_tracking_is_raised_for_the_caller_to_treat_as_done(make_client) -> None:
    client, api = make_client([ok(code=21011025, message="duplicate tracking number")], tokens=FakeTokens())
    with pytest.raises(DuplicateTrackingNumber):
        await client.call("POST", "/fulfillment/202309/orders/O1/packages", shop_id="S1", json={})
    assert len(api.requests) == 1


async def test_null_data_is_an_empty_dict(make_client) -> None:
    client, _ = make_client([ok(None)], tokens=FakeTokens())
    assert await client.call("POST", "/product/202309/products/1/inventory/update", shop_id="S1", json={}) == {}


async def test_non_json_answer_reports_status_and_a_snippet_without_secrets(make_client) -> None:
    page = f"<html>bad gateway config {APP_SECRET} token-1 " + "x" * 500
    client, _ = make_client([httpx.Response(400, text=page)], tokens=FakeTokens())
    with pytest.raises(TikTokError) as info:
        await client.call("GET", "/order/202309/orders", shop_id="S1", params={"ids": "1"})
    err = info.value
    assert err.code == BAD_RESPONSE_CODE and err.http_status == 400
    assert "HTTP 400" in str(err) and "<html>bad gateway" in str(err)
    assert "x" * 200 not in str(err)
    for text in (str(err), repr(err)):
        assert APP_SECRET not in text and "token-1" not in text


async def test_secrets_absent_from_errors_and_reprs(make_client) -> None:
    client, api = make_client(
        [ok(code=106001, message=f"sign mismatch for secret {APP_SECRET} and token token-1")],
        tokens=FakeTokens(),
    )
    with pytest.raises(TikTokError) as info:
        await client.call("GET", "/order/202309/orders", shop_id="S1")
    sign = api.requests[0].url.params["sign"]
    for text in (str(info.value), repr(info.value), repr(client)):
        assert APP_SECRET not in text and "token-1" not in text and sign not in text
    access = await FakeTokens().get("S1")
    assert "token-1" not in repr(access) and "token-1" not in str(access)


async def test_rate_limiter_is_consulted_with_the_endpoint_template(make_client) -> None:
    seen: list[tuple[str | None, str]] = []

    class SpyLimiter(RateLimiter):
        async def acquire(self, shop_id: str | None, endpoint: str) -> None:
            seen.append((shop_id, endpoint))

    client, _ = make_client([ok({}), ok({})], tokens=FakeTokens(), limiter=SpyLimiter())
    await client.call("GET", "/order/202309/orders/O1", shop_id="S1", endpoint="/order/202309/orders/{id}")
    await client.call("GET", "/logistics/202309/warehouses", shop_id="S2")
    assert seen == [("S1", "/order/202309/orders/{id}"), ("S2", "/logistics/202309/warehouses")]


async def test_each_call_is_logged_without_secrets(make_client) -> None:
    from structlog.testing import capture_logs

    client, api = make_client(
        [httpx.Response(429, json=envelope(code=36009002, request_id="rq-1")), ok({}, request_id="rq-2")],
        tokens=FakeTokens(),
    )
    with capture_logs() as logs:
        await client.call("GET", "/order/202309/orders", shop_id="S1")
    calls = [e for e in logs if e["event"] == "tiktok.call"]
    assert [(e["attempt"], e["code"], e["request_id"]) for e in calls] == [(1, 36009002, "rq-1"), (2, 0, "rq-2")]
    assert all(e["path"] == "/order/202309/orders" and "duration_ms" in e for e in calls)
    sign = api.requests[0].url.params["sign"]
    assert not any(s in repr(logs) for s in (APP_SECRET, "token-1", sign))


async def test_a_nul_or_lone_surrogate_from_tiktok_becomes_u_fffd_and_the_rest_stays_verbatim(make_client) -> None:
    """PostgreSQL cannot store them, and refusing the answer would keep the order out for an invisible character."""
    hostile = "O'Brien \"Bob\" '; DROP TABLE orders;-- \u202e\u200f 😀 e\u0301"
    body = envelope({"orders": [{"buyer_message": "door\x00bell", "recipient_address": {"name": hostile,
                                                                                    "city": "x\ud800y"}}]})
    raw = json.dumps(body).encode()  # ASCII-escaped, as many servers send it: \u0000, \ud800, \ud83d\ude00
    assert b"\\u0000" in raw and b"\\ud800" in raw
    client, _ = make_client([httpx.Response(200, content=raw, headers={"content-type": "application/json"})],
                            tokens=FakeTokens())
    data = await client.call("POST", "/order/202309/orders/search", shop_id="S1", json={})
    [order] = data["orders"]
    assert order["buyer_message"] == "door\ufffdbell"
    assert order["recipient_address"] == {"name": hostile, "city": "x\ufffdy"}
