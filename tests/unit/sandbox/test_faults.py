"""Fault injection: 5xx, 429 bursts, latency, expiry, path/shop filters; /sandbox is never affected."""

from __future__ import annotations

import time

from tests.support.clock import FakeClock
from tests.unit.sandbox.conftest import Sandbox, Shop, make_settings, open_sandbox

WAREHOUSES = "/logistics/202309/warehouses"


async def test_error_5xx_on_matching_path_only(sandbox: Sandbox, shop: Shop) -> None:
    await sandbox.control("POST", "/sandbox/faults", {"kind": "error_5xx", "path": "/logistics/"})
    failed = await sandbox.call("GET", WAREHOUSES, shop=shop)
    assert (failed.status_code, failed.json()["code"]) == (500, 36009003)
    unaffected = await sandbox.call(
        "POST", "/order/202309/orders/search", shop=shop, params={"page_size": 1}, body={}
    )
    assert unaffected.json()["code"] == 0
    assert len((await sandbox.control("GET", "/sandbox/faults"))["faults"]) == 1
    await sandbox.control("DELETE", "/sandbox/faults")
    assert (await sandbox.call("GET", WAREHOUSES, shop=shop)).json()["code"] == 0


async def test_rate_limit_burst_and_shop_filter(sandbox: Sandbox, shop: Shop) -> None:
    other = await sandbox.new_shop()
    await sandbox.control("POST", "/sandbox/faults", {"kind": "rate_limit_429", "shop_id": shop.shop_id})
    limited = await sandbox.call("GET", WAREHOUSES, shop=shop)
    assert (limited.status_code, limited.json()["code"]) == (429, 36009002)
    assert (await sandbox.call("GET", WAREHOUSES, shop=other)).json()["code"] == 0


async def test_latency(sandbox: Sandbox, shop: Shop) -> None:
    await sandbox.control("POST", "/sandbox/faults", {"kind": "latency", "latency_ms": 150})
    started = time.perf_counter()
    assert (await sandbox.call("GET", WAREHOUSES, shop=shop)).json()["code"] == 0
    assert time.perf_counter() - started >= 0.15


async def test_fault_expires_after_duration() -> None:
    clock = FakeClock()
    async for box in open_sandbox(make_settings(), clock=clock):
        shop = await box.new_shop()
        await box.control("POST", "/sandbox/faults", {"kind": "error_5xx", "duration_s": 10})
        assert (await box.call("GET", WAREHOUSES, shop=shop, timestamp=int(clock.now))).status_code == 500
        clock.now += 11
        assert (await box.call("GET", WAREHOUSES, shop=shop, timestamp=int(clock.now))).json()["code"] == 0


async def test_control_api_is_never_faulted(sandbox: Sandbox, shop: Shop) -> None:
    await sandbox.control("POST", "/sandbox/faults", {"kind": "error_5xx"})
    assert (await sandbox.http.get("/healthz")).json() == {"status": "ok"}
    await sandbox.place_order(shop)
    token = await sandbox.exchange((await sandbox.control("POST", "/sandbox/sellers", {}))["auth_code"])
    assert token["code"] == 36009003  # the auth host is faulted too


async def test_bad_fault_kind_is_400(sandbox: Sandbox) -> None:
    response = await sandbox.http.post("/sandbox/faults", json={"kind": "meteor"})
    assert response.status_code == 400 and "kind must be one of" in response.json()["message"]


async def test_a_lost_answer_serves_the_request_then_answers_500_and_times_caps_the_strikes(
    sandbox: Sandbox, shop: Shop
) -> None:
    webhooks = "/event/202309/webhooks"
    await sandbox.control("POST", "/sandbox/faults", {"kind": "lost_answer", "path": webhooks, "exact": True,
                                                      "times": 1})
    await sandbox.control("POST", "/sandbox/faults", {"kind": "error_5xx", "path": "/logistics/", "exact": True})
    lost = await sandbox.call("PUT", webhooks, shop=shop,
                              body={"event_type": "ORDER_STATUS_CHANGE", "address": "https://wms.example/hook"})
    assert (lost.status_code, lost.json()["code"]) == (500, 36009003)
    registered = (await sandbox.call("GET", webhooks, shop=shop)).json()  # served: TikTok kept it
    assert registered["code"] == 0 and "https://wms.example/hook" in str(registered["data"])
    assert (await sandbox.call("GET", WAREHOUSES, shop=shop)).json()["code"] == 0  # exact: a longer path is spared
    assert [f["kind"] for f in (await sandbox.control("GET", "/sandbox/faults"))["faults"]] == ["error_5xx"]
