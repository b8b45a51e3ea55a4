"""Retries, token refresh and pagination of the signed client."""

from __future__ import annotations

import random

import httpx
import pytest

from libs.common.tiktok.errors import (
    RateLimited,
    TikTokError,
    TikTokInternalError,
    TikTokUnavailable,
    TokenExpired,
)

from .conftest import FakeTokens, envelope, ok


async def test_429_then_success_is_retried(make_client, sleep) -> None:
    client, api = make_client(
        [httpx.Response(429, json=envelope(code=36009002, message="too many requests")), ok({"orders": []})],
        tokens=FakeTokens(),
    )
    assert await client.call("POST", "/order/202309/orders/search", shop_id="S1", json={}) == {"orders": []}
    assert len(api.requests) == 2 and len(sleep.delays) == 1
    # each attempt is freshly signed: both carry a sign
    assert all("sign" in r.url.params for r in api.requests)


async def test_429_without_json_body_counts_as_rate_limited(make_client) -> None:
    client, api = make_client([httpx.Response(429, text="slow down")] * 2, tokens=FakeTokens(), max_attempts=2)
    with pytest.raises(RateLimited) as info:
        await client.call("GET", "/logistics/202309/warehouses", shop_id="S1")
    assert info.value.transient and info.value.http_status == 429 and len(api.requests) == 2


async def test_5xx_exhaustion_raises_internal_error_after_max_attempts(make_client, sleep) -> None:
    client, api = make_client(
        [httpx.Response(503, json=envelope(code=36009003, message="internal error"))] * 3,
        tokens=FakeTokens(), max_attempts=3, backoff_initial_s=0.0,
    )
    with pytest.raises(TikTokInternalError) as info:
        await client.call("POST", "/product/202309/products", shop_id="S1", json={"title": "t"})
    assert info.value.code == 36009003 and info.value.transient
    assert len(api.requests) == 3 and sleep.delays == [0.0, 0.0]


async def test_network_errors_are_retried_then_raised_as_unavailable(make_client) -> None:
    request = httpx.Request("GET", "https://x")
    client, api = make_client(
        [httpx.ConnectError("refused", request=request), httpx.ReadTimeout("slow", request=request), ok({"a": 1})],
        tokens=FakeTokens(),
    )
    assert await client.call("GET", "/logistics/202309/warehouses", shop_id="S1") == {"a": 1}
    assert len(api.requests) == 3

    client, _ = make_client([httpx.ConnectError("refused", request=request)] * 2, max_attempts=2)
    with pytest.raises(TikTokUnavailable) as info:
        await client.call("GET", "/logistics/202309/warehouses")
    assert info.value.code == -1 and info.value.transient


def test_backoff_is_capped_exponential_full_jitter(make_client) -> None:
    client, _ = make_client([], backoff_initial_s=0.2, backoff_max_s=1.0, rng=random.Random(7))
    for failures, cap in [(1, 0.2), (2, 0.4), (3, 0.8), (4, 1.0), (10, 1.0)]:
        delays = [client.backoff_s(failures) for _ in range(200)]
        assert all(0 <= d <= cap for d in delays)
        assert max(delays) > cap * 0.8  # jitter really spans the range


async def test_retry_after_header_is_honoured_up_to_the_cap(make_client, sleep) -> None:
    client, _ = make_client(
        [httpx.Response(429, headers={"Retry-After": "2"}, json=envelope(code=36009002)), ok({})],
        tokens=FakeTokens(), backoff_max_s=5.0,
    )
    await client.call("GET", "/logistics/202309/warehouses", shop_id="S1")
    assert sleep.delays == [2.0]


@pytest.mark.parametrize(
    ("code", "message"),
    [
        (105002, "access token expired"),
        (105001, "access token is invalid"),
        (36009004, "invalid access token in header x-tts-access-token"),
    ],
)
async def test_refused_token_is_invalidated_by_generation_and_retried_once_with_a_fresh_one(
    make_client, sleep, code: int, message: str
) -> None:
    tokens = FakeTokens()
    client, api = make_client([ok(code=code, message=message), ok({"ok": True})], tokens=tokens)
    assert await client.call("GET", "/order/202309/orders", shop_id="S1") == {"ok": True}
    assert tokens.invalidated == ["S1"] and tokens.refused == [1]  # the generation TikTok refused
    assert [r.headers["x-tts-access-token"] for r in api.requests] == ["token-1", "token-2"]
    assert sleep.delays == []


async def test_other_common_parameter_errors_keep_the_token(make_client) -> None:
    tokens = FakeTokens()
    client, api = make_client([ok(code=36009004, message="timestamp is outside the window")], tokens=tokens)
    with pytest.raises(TikTokError) as info:
        await client.call("GET", "/order/202309/orders", shop_id="S1")
    assert info.value.code == 36009004 and tokens.invalidated == [] and len(api.requests) == 1


async def test_expired_token_twice_gives_up(make_client) -> None:
    tokens = FakeTokens()
    client, api = make_client([ok(code=105002), ok(code=105002)], tokens=tokens, max_attempts=5)
    with pytest.raises(TokenExpired):
        await client.call("GET", "/order/202309/orders", shop_id="S1")
    assert len(api.requests) == 2 and tokens.invalidated == ["S1"]


async def test_paginate_walks_pages_carrying_page_size_and_token(make_client) -> None:
    pages = [
        ok({"orders": [{"id": "1"}, {"id": "2"}], "next_page_token": "t2", "total_count": 5}),
        ok({"orders": [{"id": "3"}, {"id": "4"}], "next_page_token": "t3", "total_count": 5}),
        ok({"orders": [{"id": "5"}], "next_page_token": "", "total_count": 5}),
    ]
    client, api = make_client(pages, tokens=FakeTokens())
    seen = [
        [o["id"] for o in page]
        async for page in client.paginate(
            "POST", "/order/202309/orders/search", items_key="orders", shop_id="S1",
            params={"sort_field": "create_time"}, json={"order_status": "AWAITING_SHIPMENT"}, page_size=2,
        )
    ]
    assert seen == [["1", "2"], ["3", "4"], ["5"]]
    queries = [dict(r.url.params) for r in api.requests]
    assert [q.get("page_token") for q in queries] == [None, "t2", "t3"]
    assert all(q["page_size"] == "2" and q["sort_field"] == "create_time" for q in queries)


async def test_paginate_stops_when_token_absent_and_refuses_a_loop(make_client) -> None:
    client, _ = make_client([ok({"shops": [{"id": "a"}]})])
    assert [p async for p in client.paginate("GET", "/x", items_key="shops")] == [[{"id": "a"}]]

    looping = [ok({"items": [], "next_page_token": "same"}), ok({"items": [], "next_page_token": "same"})]
    client, _ = make_client(looping)
    with pytest.raises(Exception, match="repeats"):
        async for _ in client.paginate("GET", "/x", items_key="items"):
            pass
