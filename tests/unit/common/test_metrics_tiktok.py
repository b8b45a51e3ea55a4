"""TikTok calls are counted by endpoint template (not the filled path), method and TikTok's code, each attempt
timed; the rate limiter's waits are observed."""

from __future__ import annotations

import httpx
import pytest
from pydantic import SecretStr

from libs.common import metrics
from libs.common.tiktok.client import TikTokClient
from libs.common.tiktok.errors import TikTokError
from libs.common.tiktok.ratelimit import RateLimiter
from tests.support.fake_runtime import sample
from tests.unit.common import test_metrics

service = test_metrics.service  # the fixture: a service name of the test's own

TEMPLATE = "/order/202309/orders/{order_id}/packages"


async def _no_sleep(_: float) -> None:
    return None


def client(answers: list[httpx.Response | Exception]) -> TikTokClient:
    def answer(_: httpx.Request) -> httpx.Response:
        step = answers.pop(0)
        if isinstance(step, Exception):
            raise step
        return step

    return TikTokClient(http=httpx.AsyncClient(transport=httpx.MockTransport(answer)), base_url="https://t.test",
                        app_key="k", app_secret=SecretStr("s"), tokens=None, limiter=None, sleep=_no_sleep,
                        max_attempts=3)


async def test_each_attempt_is_counted_with_its_endpoint_template_and_code(service: str) -> None:
    answers: list[httpx.Response | Exception] = [
        httpx.ConnectError("refused"),
        httpx.Response(503, json={"code": 36009003, "message": "busy", "data": None}),
        httpx.Response(200, json={"code": 0, "message": "ok", "data": {"package_id": "P1"}}),
    ]
    data = await client(answers).call("POST", TEMPLATE.format(order_id="576000000001"), endpoint=TEMPLATE, json={})
    assert data == {"package_id": "P1"}
    for code in ("transport", "36009003", "0"):
        assert sample("ttshop_tiktok_calls_total", service=service, endpoint=TEMPLATE, method="POST", code=code) == 1
    assert sample("ttshop_tiktok_call_seconds_count", service=service, endpoint=TEMPLATE) == 3
    filled = {"service": service, "endpoint": "/order/202309/orders/576000000001/packages", "method": "POST",
              "code": "0"}
    assert metrics.REGISTRY.get_sample_value("ttshop_tiktok_calls_total", filled) is None


async def test_a_refusal_is_counted_with_tiktoks_code(service: str) -> None:
    answers: list[httpx.Response | Exception] = [
        httpx.Response(200, json={"code": 12052093, "message": "listing limit", "data": None})]
    with pytest.raises(TikTokError):
        await client(answers).call("POST", "/product/202309/products", json={})
    assert sample("ttshop_tiktok_calls_total", service=service, endpoint="/product/202309/products", method="POST",
                  code="12052093") == 1


async def test_the_rate_limiter_observes_how_long_a_call_waited(service: str) -> None:
    now = [0.0]

    async def sleep(delay: float) -> None:
        now[0] += delay

    limiter = RateLimiter(1.0, clock=lambda: now[0], sleep=sleep)
    await limiter.acquire("S", "/e")
    await limiter.acquire("S", "/e")  # the window of one call a second is full: waits about a second
    assert sample("ttshop_tiktok_ratelimit_wait_seconds_count", service=service, endpoint="/e") == 2
    waited = sample("ttshop_tiktok_ratelimit_wait_seconds_sum", service=service, endpoint="/e")
    assert 1.0 <= waited <= 1.1
    assert sample("ttshop_tiktok_ratelimit_wait_seconds_bucket", service=service, endpoint="/e", le="0.001") == 1
