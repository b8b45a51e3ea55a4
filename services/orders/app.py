"""Composition root of the orders service: runtime (db, broker, relay), the shops.changed consumer, one TikTok
client shared by every feature, the four workers (poll, download jobs, webhooks, settlements) and the admin
routes."""

from __future__ import annotations

from functools import partial

from fastapi import FastAPI

from libs.common import metrics
from libs.common.db import load_migrations
from libs.common.retention import Kept
from libs.common.runtime import ServiceRuntime, create_app
from libs.common.status import add_status_part
from libs.common.tiktok.service_client import service_tiktok_client
from libs.common.tiktok.tokens import TokenProvider
from services.orders import api, handlers
from services.orders.after_sales import api as after_sales_api
from services.orders.intake import api as intake_api
from services.orders.intake import repo as intake_repo
from services.orders.intake import worker as intake_worker
from services.orders.intake.jobs import api as jobs_api
from services.orders.intake.jobs import repo as jobs_repo
from services.orders.intake.jobs import worker as jobs_worker
from services.orders.intake.webhooks import api as webhooks_api
from services.orders.intake.webhooks import worker as webhooks_worker
from services.orders.settings import OrdersSettings
from services.orders.settlements import api as settlements_api
from services.orders.settlements import worker as settlements_worker
from services.orders.shops import api as shops_api
from services.orders.tiktok import TIKTOK, OrdersApi


def build_app(settings: OrdersSettings | None = None, *, tokens: TokenProvider | None = None) -> FastAPI:
    """The orders app. ``tokens`` replaces the auth-service token provider (tests)."""
    settings = settings or OrdersSettings()
    runtime = ServiceRuntime(settings, load_migrations("services.orders.migrations", prefix="service"))
    handlers.register(runtime)

    def tiktok(rt: ServiceRuntime) -> OrdersApi:
        """Built at start, before the consumers, so its token cache hears shops.changed."""
        return OrdersApi(service_tiktok_client(rt, tokens=tokens), page_size=settings.page_size)

    runtime.provide(TIKTOK, tiktok)
    runtime.collect(metrics.JOBS, jobs_repo.open_counts, kind="order_download")
    runtime.add_worker(intake_worker.NAME, partial(intake_worker.poll_worker, settings=settings))
    runtime.add_worker(jobs_worker.NAME, partial(jobs_worker.job_worker, settings=settings))
    runtime.add_worker(webhooks_worker.NAME, partial(webhooks_worker.webhook_worker, settings=settings))
    runtime.add_worker(settlements_worker.NAME, partial(settlements_worker.settlement_worker, settings=settings))
    # Processed notifications are kept to recognise TikTok's re-sends (12 hours at most), then forgotten.
    runtime.keep_for_repeats(Kept("webhook_inbox", "received_at", finished="processed_at IS NOT NULL"))
    app = create_app(runtime, title="ttshop orders")
    for router in (api.router, shops_api.router, intake_api.router, jobs_api.router, webhooks_api.router,
                   after_sales_api.router, settlements_api.router):
        app.include_router(router)
    add_status_part(app, "last_order_download", intake_repo.last_downloads)
    return app
