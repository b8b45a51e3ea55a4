"""Composition root: runtime (db, broker, relay), consumers and the admin API.

TikTok calls (inventory/price upload, R40, and product posting) come with later issues; the
TikTokClient is wired here then.
"""

from __future__ import annotations

from fastapi import FastAPI

from libs.common.db import load_migrations
from libs.common.runtime import ServiceRuntime, create_app
from services.catalog import api, handlers
from services.catalog.settings import CatalogSettings


def build_app(settings: CatalogSettings | None = None) -> FastAPI:
    settings = settings or CatalogSettings()
    runtime = ServiceRuntime(settings, load_migrations("services.catalog.migrations", prefix="service"))
    handlers.register(runtime)
    app = create_app(runtime, title="ttshop catalog")
    app.include_router(api.router)
    return app
