"""The orders pages and actions in process, the services faked: what each asks the admin APIs, what the
operator is shown (the services' errors included), and that no action runs without its CSRF token."""

from __future__ import annotations

from typing import Any

import httpx

from tests.unit.console.conftest import BASE, CREDENTIAL, FakeServices, signed_in

SHOPS = {"shops": [{"shop_id": "7001", "name": "demo", "status": "active", "settings": {}}]}
ORDER: dict[str, Any] = {
    "order_id": "5714", "shop_id": "7001", "status": "Shipped", "tiktok_status": "AWAITING_COLLECTION",
    "shipping_status": "Shipped", "fulfillment_type": "SELLER", "is_replacement": True, "replaced_order_id": "5710",
    "notes": ["Replacement for order 5710"], "payment_method": "Credit Card", "currency": "USD",
    "created_at": "2026-12-03T13:56:41+00:00", "recipient": {"name": "Sandbox Buyer", "city": "Los Angeles"},
    "totals": {"sub_total": "12.50", "shipping_fee": "0.00", "tax": "0.00", "total": "12.50"},
    "lines": [{"seller_sku": "TEE-RED-M", "sku_id": "17", "product_id": "176", "quantity": 2, "unit_price": "12.50",
               "line_item_ids": ["L1", "L2"]}],
}
SHIPMENT = {"shipment_id": "manual-1", "order_id": "5714", "carrier": "USPS", "tracking_number": "9400111122223333",
            "line_item_ids": ["L1", "L2"], "upload_status": "uploaded", "tiktok_side": "in transit", "source": "manual"}


def listed(fake: FakeServices, orders: list[dict[str, Any]]) -> None:
    fake.answer("auth", "GET", "/shops", SHOPS)
    fake.answer("orders", "GET", "/orders", {"orders": orders, "count": len(orders)})


def order_page_answers(fake: FakeServices) -> None:
    fake.answer("orders", "GET", "/orders/5714", ORDER)
    fake.answer("fulfillment", "GET", "/shipments", {"shipments": [SHIPMENT]})
    fake.answer("orders", "GET", "/orders/5714/cancellations", {"cancellations": []})
    fake.answer("orders", "GET", "/orders/5714/refunds", {"refunds": [
        {"return_id": "RET-77", "line_item_ids": ["L1", "L2"], "reason": "damaged", "return_status": "RETURN_OR_REFUND_REQUEST_PENDING",
         "currency": "USD", "amount": "25.00", "requested_at": "2026-12-03T10:00:00+00:00"}]})
    fake.answer("orders", "GET", "/orders/5714/settlements", {"settlements": []})


async def test_the_list_asks_for_the_search_and_shows_both_statuses(fake: FakeServices) -> None:
    listed(fake, [{**ORDER, "units": 2, "total": "12.50"}])
    async with signed_in(fake) as client:
        answer = await client.get("/orders", params={"shop": "7001", "status": "Shipped", "to": "2026-12-03"})
        part = await client.get("/orders/parts/table", params={"shop": "7001", "limit": "100"})
    assert answer.status_code == 200
    assert "5714" in answer.text and "AWAITING_COLLECTION" in answer.text and "demo" in answer.text
    assert 'hx-get="/orders/parts/table?shop=7001&amp;status=Shipped&amp;to=2026-12-03&amp;limit=50"' in answer.text
    first, second = fake.made("orders", "GET", "/orders")
    assert first.params == {"shop": "7001", "status": "Shipped", "limit": "50", "before": "2026-12-04T00:00:00+00:00"}
    assert second.params == {"shop": "7001", "limit": "100"}
    assert part.status_code == 200 and part.text.startswith('<div id="orders-table"') and "<html" not in part.text
    assert first.authorization == f"Bearer {CREDENTIAL}" and CREDENTIAL not in answer.text


async def test_an_order_id_goes_straight_to_its_page(fake: FakeServices) -> None:
    async with signed_in(fake) as client:
        answer = await client.get("/orders", params={"id": " 57/14?x "})
    assert answer.status_code == 303 and answer.headers["location"] == "/orders/57%2F14%3Fx"


async def test_a_service_error_is_shown_and_the_page_still_renders(fake: FakeServices) -> None:
    fake.answer("auth", "GET", "/shops", SHOPS)
    fake.answer("orders", "GET", "/orders", (503, {"error": {"code": "not_ready", "message": "orders is starting"}}))
    async with signed_in(fake) as client:
        answer = await client.get("/orders", params={"from": "someday"})
    assert answer.status_code == 200
    assert "Error: orders is starting (not_ready)" in answer.text
    assert "Error: from: &#39;someday&#39; is not a date" in answer.text
    assert "Download a range" in answer.text


async def test_an_orders_page_shows_every_section(fake: FakeServices) -> None:
    order_page_answers(fake)
    async with signed_in(fake) as client:
        answer = await client.get("/orders/5714")
        live = await client.get("/orders/5714/live")
    text = answer.text
    for shown in ("TEE-RED-M", "Sandbox Buyer", "Credit Card", "12.50 USD", "Replacement for order 5710",
                  'href="/orders/5710"', "9400111122223333", "in transit", "uploaded", "AWAITING_COLLECTION",
                  "not settled yet", "RET-77", "L1, L2", "25.00 USD", "damaged", 'action="/orders/5714/ship"'):
        assert shown in text, shown
    page_call, live_call = fake.made("fulfillment", "GET", "/shipments")
    assert page_call.params == live_call.params == {"order_id": "5714"}
    assert live.text.startswith('<div id="order-live" hx-get="/orders/5714/live"') and "9400111122223333" in live.text


async def test_an_unknown_order_says_so_and_the_page_survives(fake: FakeServices) -> None:
    fake.answer("orders", "GET", "/orders/404", (404, {"error": {"code": "order_not_found",
                                                                  "message": "no order 404 has been downloaded"}}))
    fake.answer("fulfillment", "GET", "/shipments", (503, {"error": {"code": "unreachable", "message": "down"}}))
    async with signed_in(fake) as client:
        answer = await client.get("/orders/404")
    assert answer.status_code == 200
    assert "Error: no order 404 has been downloaded (order_not_found)" in answer.text
    assert "Error: down (unreachable)" in answer.text
    assert "Ship by hand" not in answer.text  # no action on an order that is not there


async def test_ship_by_hand_sends_what_the_cli_sends_and_says_what_it_says(fake: FakeServices) -> None:
    order_page_answers(fake)
    fake.answer("fulfillment", "POST", "/orders/5714/ship", (201, {**SHIPMENT, "upload_status": "pending"}))
    async with signed_in(fake) as client:
        answer = await client.post("/orders/5714/ship", headers={"referer": f"{BASE}/orders/5714"}, data={
            "csrf": client.csrf, "carrier": "USPS", "tracking": "9400111122223333", "sku": ["TEE-RED-M"], "qty": ["1"]})
        shown = await client.get(answer.headers["location"])
    assert answer.status_code == 303 and answer.headers["location"] == "/orders/5714"
    [call] = fake.made("fulfillment", "POST", "/orders/5714/ship")
    assert call.body == {"carrier": "USPS", "tracking_number": "9400111122223333",
                         "lines": [{"seller_sku": "TEE-RED-M", "quantity": 1}]}
    assert "Shipment manual-1 of order 5714: USPS 9400111122223333 (pending) for line items L1, L2" in shown.text


async def test_no_action_runs_without_the_csrf_token(fake: FakeServices) -> None:
    fake.answer("fulfillment", "POST", "/orders/5714/ship", SHIPMENT)
    fake.answer("orders", "POST", "/orders/5714/cancel", {})
    async with signed_in(fake) as client:
        ship = await client.post("/orders/5714/ship", data={"carrier": "USPS", "tracking": "1"})
        cancel = await client.post("/orders/5714/cancel", data={"csrf": "wrong", "reason": "x"})
    assert ship.status_code == 403 and cancel.status_code == 403
    assert not fake.made("fulfillment", "POST", "/orders/5714/ship")
    assert not fake.made("orders", "POST", "/orders/5714/cancel")


async def test_a_refusal_is_shown_as_the_cli_shows_it(fake: FakeServices) -> None:
    order_page_answers(fake)
    fake.answer("orders", "POST", "/orders/5714/cancel", (409, {"error": {
        "code": "cancel_not_allowed", "message": "order 5714 is AWAITING_COLLECTION on TikTok; a seller can cancel "
                                                 "only while it is UNPAID or AWAITING_SHIPMENT"}}))
    async with signed_in(fake) as client:
        answer = await client.post("/orders/5714/cancel", data={"csrf": client.csrf, "reason": "no stock"},
                                   follow_redirects=True)
    [call] = fake.made("orders", "POST", "/orders/5714/cancel")
    assert call.body == {"reason": "no stock"}
    assert ("Error: order 5714 is AWAITING_COLLECTION on TikTok; a seller can cancel only while it is UNPAID or "
            "AWAITING_SHIPMENT (cancel_not_allowed)") in answer.text


async def test_a_refund_of_some_skus_with_the_default_reason(fake: FakeServices) -> None:
    order_page_answers(fake)
    fake.answer("orders", "POST", "/orders/5714/refund", {"order_id": "5714", "return_id": "R1",
                                                          "refund_amount": "12.50", "currency": "USD"})
    async with signed_in(fake) as client:
        answer = await client.post("/orders/5714/refund", data={"csrf": client.csrf, "reason": "", "sku": "TEE-RED-M"},
                                   follow_redirects=True)
    [call] = fake.made("orders", "POST", "/orders/5714/refund")
    assert call.body == {"reason": "Seller refund", "lines": ["TEE-RED-M"]}
    assert "refund of order 5714: return_id=R1, refund_amount=12.50, currency=USD" in answer.text


async def test_a_cancel_without_a_reason_is_not_sent(fake: FakeServices) -> None:
    order_page_answers(fake)
    async with signed_in(fake) as client:
        answer = await client.post("/orders/5714/cancel", data={"csrf": client.csrf, "reason": " "},
                                   follow_redirects=True)
    assert "Error: a cancellation needs a reason" in answer.text
    assert not fake.made("orders", "POST", "/orders/5714/cancel")


async def test_a_download_starts_a_job_and_links_to_it(fake: FakeServices) -> None:
    listed(fake, [])
    fake.answer("orders", "POST", "/jobs/download", (201, {"id": "9b1c", "status": "queued"}))
    async with signed_in(fake) as client:
        answer = await client.post("/orders/download", data={"csrf": client.csrf, "shop": "7001",
                                                             "from": "2026-12-01", "to": "2026-12-02"})
        shown = await client.get(answer.headers["location"])
    assert answer.status_code == 303 and answer.headers["location"] == "/orders?job=9b1c"
    [call] = fake.made("orders", "POST", "/jobs/download")
    assert call.body == {"shop": "7001", "from": "2026-12-01T00:00:00+00:00", "to": "2026-12-03T00:00:00+00:00"}
    assert "Started download job 9b1c for shop 7001" in shown.text
    assert 'href="/jobs/orders/9b1c"' in shown.text


async def test_a_download_range_the_cli_refuses_is_not_sent(fake: FakeServices) -> None:
    listed(fake, [])
    async with signed_in(fake) as client:
        answer = await client.post("/orders/download", data={"csrf": client.csrf, "shop": "7001", "to": "2026-12-02"},
                                   headers={"referer": f"{BASE}/orders"}, follow_redirects=True)
    assert "Error: to needs from as well." in answer.text
    assert not fake.made("orders", "POST", "/jobs/download")


async def test_an_order_id_is_one_path_segment_of_the_admin_api(fake: FakeServices) -> None:
    seen: list[bytes] = []

    def order(request: httpx.Request) -> Any:
        seen.append(request.url.raw_path)
        return 404, {"error": {"code": "order_not_found", "message": "no such order"}}

    fake.answer("orders", "GET", "/orders/a?b", order)
    fake.answer("orders", "GET", "/orders/a?b/cancellations", order)
    fake.answer("orders", "GET", "/orders/a?b/settlements", order)
    async with signed_in(fake) as client:
        answer = await client.get("/orders/a%3Fb")
    assert answer.status_code == 200 and "no such order" in answer.text
    assert sorted(seen) == [b"/orders/a%3Fb", b"/orders/a%3Fb/cancellations", b"/orders/a%3Fb/settlements"]


async def test_the_list_page_asks_auth_for_the_shops_once(fake: FakeServices) -> None:
    listed(fake, [ORDER])
    async with signed_in(fake) as client:
        answer = await client.get("/orders", params={"shop": "7001"})
    assert answer.status_code == 200 and "5714" in answer.text
    assert len(fake.made("auth", "GET", "/shops")) == 1
