"""Composition root of the orders service."""

from __future__ import annotations

from fastapi import FastAPI

from libs.common.db import load_migrations
from libs.common.events import ShopConnected
from libs.common.runtime import ServiceRuntime, create_app
from libs.common.tiktok.client import TikTokClient
from libs.common.tiktok.ratelimit import RateLimiter
from libs.common.tiktok.tokens import AuthServiceTokenProvider
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
        if runtime.http is None:
            raise RuntimeError("the runtime has not started: no HTTP client yet")
        client = TikTokClient(
            http=runtime.http,
            base_url=settings.tiktok_api_base_url,
            app_key=settings.tiktok_app_key,
            app_secret=settings.tiktok_app_secret,
            tokens=AuthServiceTokenProvider(
                http=runtime.http,
                auth_service_url=settings.auth_service_url,
                internal_api_token=settings.internal_api_token,
            ),
            limiter=RateLimiter(settings.tiktok_qps_per_endpoint),
        )
        return OrdersApi(client, page_size=settings.page_size)

    workers = Workers(settings, make_api)
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
