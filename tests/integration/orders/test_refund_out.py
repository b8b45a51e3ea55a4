"""Seller-side refund (R16) against real PostgreSQL and the sandbox's return/refund endpoints."""

from __future__ import annotations

import asyncpg
import httpx
import pytest

from libs.common.refusals import Refused
from libs.common.watermark import Window
from libs.common.web import refusal_status
from services.orders.after_sales import service as after_sales
from services.orders.intake.service import poll_shop
from services.orders.shops.domain import Shop
from services.orders.tiktok import OrdersApi
from tests.integration.orders.conftest import SOURCE, outbox, place_order

WINDOW = Window(overlap_s=300, initial_lookback_s=3600)
TWO_SKUS = [{"seller_sku": "TSHIRT-RED-M", "quantity": 2, "unit_price": "19.99"},
            {"seller_sku": "MUG", "quantity": 1, "unit_price": "7.50"}]


async def tiktok_refunds(api: OrdersApi, shop_id: str, order_id: str) -> list[dict[str, object]]:
    data = await api._client.call(  # the sandbox's own record of what it received
        "POST", "/return_refund/202309/returns/search", shop_id=shop_id, params={"page_size": 50},
        json={"order_ids": [order_id]},
    )
    return list(data["return_orders"])


async def test_refund_of_a_card_order_is_sent_and_published_once(
    pool: asyncpg.Pool, api: OrdersApi, shop: Shop, http: httpx.AsyncClient, sandbox_url: str
) -> None:
    """R16: online payment + TikTok says eligible -> refund sent, OrderStatusChanged(refunded)."""
    placed = await place_order(http, sandbox_url, shop.shop_id, lines=TWO_SKUS, payment_method="Credit Card")
    await poll_shop(pool, api, shop, WINDOW, source=SOURCE)

    answer = await after_sales.refund_order(pool, api, order_id=placed["id"], seller_skus=["TSHIRT-RED-M"],
                                           reason="Damaged", source=SOURCE)
    assert (answer["refund_amount"], answer["currency"], len(answer["line_item_ids"])) == ("39.98", "USD", 2)
    (on_tiktok,) = await tiktok_refunds(api, shop.shop_id, placed["id"])
    assert on_tiktok["return_type"] == "REFUND" and on_tiktok["return_id"] == answer["return_id"]
    (event,) = await outbox(pool, "OrderStatusChanged")
    assert (event["data"]["kind"], event["data"]["details"]["refund_amount"]) == ("refunded", "39.98")

    with pytest.raises(Refused) as again:  # TikTok's eligibility answer: those units are refunded already
        await after_sales.refund_order(pool, api, order_id=placed["id"], seller_skus=["TSHIRT-RED-M"],
                                      reason="Damaged", source=SOURCE)
    assert refusal_status(again.value) == 409 and "already refunded" in again.value.message
    assert len(await outbox(pool, "OrderStatusChanged")) == 1


@pytest.mark.parametrize("method", ["PayPal", "Apple Pay"])
async def test_paypal_and_apple_pay_refunds_are_refused_to_be_issued_on_tiktok(
    method: str, pool: asyncpg.Pool, api: OrdersApi, shop: Shop, http: httpx.AsyncClient, sandbox_url: str
) -> None:
    """R16: PayPal / Apple Pay -> "issue this refund on TikTok", nothing sent."""
    placed = await place_order(http, sandbox_url, shop.shop_id, payment_method=method)
    await poll_shop(pool, api, shop, WINDOW, source=SOURCE)
    with pytest.raises(Refused) as refused:
        await after_sales.refund_order(pool, api, order_id=placed["id"], seller_skus=None, reason="x", source=SOURCE)
    assert refusal_status(refused.value) == 409 and "issue this refund on TikTok" in refused.value.message
    assert method in refused.value.message
    assert await tiktok_refunds(api, shop.shop_id, placed["id"]) == []
    assert await outbox(pool, "OrderStatusChanged") == []


async def test_refund_of_an_unpaid_order_follows_tiktoks_eligibility(
    pool: asyncpg.Pool, api: OrdersApi, shop: Shop, http: httpx.AsyncClient, sandbox_url: str
) -> None:
    """R16: within TikTok's rules - an order not paid yet is not eligible."""
    placed = await place_order(http, sandbox_url, shop.shop_id, status="UNPAID")
    await poll_shop(pool, api, shop, WINDOW, source=SOURCE)
    with pytest.raises(Refused) as refused:
        await after_sales.refund_order(pool, api, order_id=placed["id"], seller_skus=None, reason="x", source=SOURCE)
    assert refused.value.code == "refund_not_eligible" and "not paid" in refused.value.message
