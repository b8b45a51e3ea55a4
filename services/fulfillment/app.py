"""Composition root: runtime (db, broker, relay), consumers, the upload worker and the admin API."""

from __future__ import annotations

from fastapi import FastAPI

from libs.common.db import load_migrations
from libs.common.runtime import ServiceRuntime, create_app
from libs.common.tiktok.client import TikTokClient
from libs.common.tiktok.ratelimit import RateLimiter
from libs.common.tiktok.tokens import AuthServiceTokenProvider, TokenProvider
from services.fulfillment import api, handlers
from services.fulfillment.settings import FulfillmentSettings
from services.fulfillment.tiktok import FulfillmentTikTok
from services.fulfillment.uploader import ShipmentUploader


def build_app(settings: FulfillmentSettings | None = None, *, tokens: TokenProvider | None = None) -> FastAPI:
    """The fulfillment app. ``tokens`` replaces the auth-service token provider (tests)."""
    settings = settings or FulfillmentSettings()
    runtime = ServiceRuntime(settings, load_migrations("services.fulfillment.migrations", prefix="service"))
    handlers.register(runtime)
    app = create_app(runtime, title="ttshop fulfillment")
    app.include_router(api.router)

    async def upload_loop(rt: ServiceRuntime) -> None:
        assert rt.http is not None, "runtime not started"
        provider = tokens or AuthServiceTokenProvider(
            http=rt.http, auth_service_url=settings.auth_service_url, internal_api_token=settings.internal_api_token
        )
        client = TikTokClient(
            http=rt.http,
            base_url=settings.tiktok_api_base_url,
            app_key=settings.tiktok_app_key,
            app_secret=settings.tiktok_app_secret,
            tokens=provider,
            limiter=RateLimiter(settings.tiktok_qps_per_endpoint),
        )
        uploader = ShipmentUploader(
            pool=rt.db(), tiktok=FulfillmentTikTok(client), settings=settings, source=rt.source,
            wake_relay=rt.wake_relay,
        )
        app.state.uploader = uploader
        await uploader.run()

    runtime.add_loop("shipment-uploader", upload_loop)
    return app
