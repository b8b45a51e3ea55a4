"""Composition root: runtime (db, broker, relay), consumers, one TikTok client, the upload worker, the
shipping-change query and the admin API."""

from __future__ import annotations

from fastapi import FastAPI

from libs.common.db import load_migrations
from libs.common.runtime import ServiceRuntime, create_app
from libs.common.status import add_status_part
from libs.common.tiktok.service_client import service_tiktok_client
from libs.common.tiktok.tokens import TokenProvider
from libs.common.worker import Every
from services.fulfillment import handlers
from services.fulfillment.manual import api as manual_api
from services.fulfillment.settings import FulfillmentSettings
from services.fulfillment.shipping_query.service import ShippingQuery
from services.fulfillment.tiktok import FulfillmentTikTok
from services.fulfillment.uploads import api as uploads_api
from services.fulfillment.uploads import repo as uploads_repo
from services.fulfillment.uploads.worker import ShipmentUploader


def build_app(settings: FulfillmentSettings, *, tokens: TokenProvider | None = None) -> FastAPI:
    """The fulfillment app. ``tokens`` replaces the auth-service token provider (tests)."""
    runtime = ServiceRuntime(settings, load_migrations("services.fulfillment.migrations", prefix="service"))
    handlers.register(runtime)
    app = create_app(runtime, title="ttshop fulfillment")
    app.include_router(uploads_api.router)
    app.include_router(manual_api.router)
    add_status_part(app, "last_tracking_upload", uploads_repo.last_uploads)

    def shipping_query(rt: ServiceRuntime) -> Every:
        query = ShippingQuery(pool=rt.db(), tiktok=rt.components.get("tiktok"), settings=settings, source=rt.source,
                              wake_relay=rt.wake_relay)
        return Every(query.run_once, interval_s=settings.shipping_query_tick_s)

    # One client (token cache and rate limits) for the upload worker and the shipping query.
    runtime.provide("tiktok", lambda rt: FulfillmentTikTok(service_tiktok_client(rt, tokens=tokens)))
    runtime.add_worker("shipment-uploader", lambda rt: ShipmentUploader(
        pool=rt.db(), tiktok=rt.components.get("tiktok"), settings=settings, source=rt.source,
        wake_relay=rt.wake_relay))
    runtime.add_worker("shipping-query", shipping_query)
    # A consumed ShipmentCreated (or order download) may have made a shipment due, an order whose TikTok
    # status moved may be due for a check: look now, not at the next poll (cheap when there is nothing to do).
    runtime.on_after_commit(lambda: runtime.components.wake("shipment-uploader", "shipping-query"))
    return app
