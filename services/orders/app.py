"""Composition root of the orders service."""

from __future__ import annotations

from fastapi import FastAPI

from libs.common.db import load_migrations
from libs.common.events import ShopConnected
from libs.common.runtime import ServiceRuntime, create_app
from libs.common.tiktok.service_client import service_tiktok_client
from services.orders.api import build_router
from services.orders.api_after_sales import build_after_sales_router
from services.orders.handlers import SHOP_EVENT_TYPES, on_shop_changed
from services.orders.settings import OrdersSettings
from services.orders.tiktok import OrdersApi
from services.orders.workers import Workers


def build(settings: OrdersSettings | None = None) -> tuple[FastAPI, ServiceRuntime, Workers]:
    """The app, its runtime and its workers (tests use the latter two to drive it directly)."""
    settings = settings or OrdersSettings()
    runtime = ServiceRuntime(settings, load_migrations("services.orders.migrations", prefix="service"))

    def make_api() -> OrdersApi:
        return OrdersApi(service_tiktok_client(runtime), page_size=settings.page_size)

    workers = Workers(settings, make_api)

    async def start_tiktok(_: ServiceRuntime) -> None:
        workers.api  # noqa: B018 - built now, before the consumers start, so its token cache hears shops.changed

    runtime.on_start(start_tiktok)
    runtime.subscribe(ShopConnected.topic, SHOP_EVENT_TYPES, on_shop_changed)
    runtime.add_loop("orders-poll", workers.poll_loop)
    runtime.add_loop("orders-download-jobs", workers.job_loop)
    runtime.add_loop("orders-webhooks", workers.webhook_loop)
    runtime.add_loop("orders-settlements", workers.settlement_loop)
    app = create_app(runtime, title="ttshop orders")
    app.include_router(build_router(runtime, settings, workers))
    app.include_router(build_after_sales_router(runtime, workers))
    return app, runtime, workers


def create_orders_app(settings: OrdersSettings | None = None) -> FastAPI:
    return build(settings)[0]
