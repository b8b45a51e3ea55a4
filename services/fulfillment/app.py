"""Composition root: runtime (db, broker, relay), consumers, the upload worker, the shipping-change
query and the admin API."""

from __future__ import annotations

from fastapi import FastAPI

from libs.common.db import load_migrations
from libs.common.runtime import ServiceRuntime, create_app
from libs.common.tiktok.service_client import service_tiktok_client
from libs.common.tiktok.tokens import TokenProvider
from services.fulfillment import api, handlers, manual_api
from services.fulfillment.settings import FulfillmentSettings
from services.fulfillment.shipping_query import ShippingQuery
from services.fulfillment.tiktok import FulfillmentTikTok
from services.fulfillment.uploader import ShipmentUploader


def build_app(settings: FulfillmentSettings | None = None, *, tokens: TokenProvider | None = None) -> FastAPI:
    """The fulfillment app. ``tokens`` replaces the auth-service token provider (tests)."""
    settings = settings or FulfillmentSettings()
    runtime = ServiceRuntime(settings, load_migrations("services.fulfillment.migrations", prefix="service"))
    handlers.register(runtime)
    app = create_app(runtime, title="ttshop fulfillment")
    app.include_router(api.router)
    app.include_router(manual_api.router)

    async def start_tiktok(rt: ServiceRuntime) -> None:
        """One client (token cache and rate limits) for the upload worker and the shipping query."""
        app.state.tiktok = FulfillmentTikTok(service_tiktok_client(rt, tokens=tokens))

    async def upload_loop(rt: ServiceRuntime) -> None:
        uploader = ShipmentUploader(
            pool=rt.db(), tiktok=app.state.tiktok, settings=settings, source=rt.source, wake_relay=rt.wake_relay,
        )
        app.state.uploader = uploader
        await uploader.run()

    async def query_loop(rt: ServiceRuntime) -> None:
        query = ShippingQuery(pool=rt.db(), tiktok=app.state.tiktok, settings=settings, source=rt.source,
                              wake_relay=rt.wake_relay)
        app.state.shipping_query = query
        await query.run()

    def wake_uploader() -> None:
        """A consumed ShipmentCreated (or order download) may have made a shipment due: look now,
        not at the next poll. Cheap when there is nothing to do (one indexed UPDATE)."""
        uploader = getattr(app.state, "uploader", None)
        if uploader is not None:
            uploader.wake()
        query = getattr(app.state, "shipping_query", None)
        if query is not None:  # an order whose TikTok status moved may be due for a check
            query.wake()

    runtime.on_start(start_tiktok)
    runtime.on_after_commit(wake_uploader)
    runtime.add_loop("shipment-uploader", upload_loop)
    runtime.add_loop("shipping-query", query_loop)
    return app
