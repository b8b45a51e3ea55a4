"""Composition root: runtime (db, broker, relay), consumers, the R40 upload worker and the admin API."""

from __future__ import annotations

from fastapi import FastAPI

from libs.common.db import load_migrations
from libs.common.runtime import ServiceRuntime, create_app
from libs.common.tiktok.service_client import service_tiktok_client
from libs.common.tiktok.tokens import TokenProvider
from services.catalog import api, handlers, listing_api
from services.catalog.settings import CatalogSettings
from services.catalog.tiktok import CatalogTikTok
from services.catalog.uploader import ListingUploader


def build_app(settings: CatalogSettings | None = None, *, tokens: TokenProvider | None = None) -> FastAPI:
    """The catalog app. ``tokens`` replaces the auth-service token provider (tests)."""
    settings = settings or CatalogSettings()
    runtime = ServiceRuntime(settings, load_migrations("services.catalog.migrations", prefix="service"))
    handlers.register(runtime, coalesce_s=settings.upload_coalesce_s)
    app = create_app(runtime, title="ttshop catalog")
    app.include_router(api.router)
    app.include_router(listing_api.router)

    async def start_tiktok(rt: ServiceRuntime) -> None:
        app.state.tiktok = CatalogTikTok(service_tiktok_client(rt, tokens=tokens))
        app.state.uploader = ListingUploader(pool=rt.db(), tiktok=app.state.tiktok, settings=settings,
                                             source=rt.source, wake_relay=rt.wake_relay)

    async def upload_loop(rt: ServiceRuntime) -> None:
        await app.state.uploader.run()

    def wake_uploader() -> None:
        """An applied stock/price change may have queued an upload: look when it falls due, not at the next poll."""
        uploader = getattr(app.state, "uploader", None)
        if uploader is not None:
            uploader.wake()

    runtime.on_start(start_tiktok)
    runtime.on_after_commit(wake_uploader)
    runtime.add_loop("listing-uploader", upload_loop)
    return app
