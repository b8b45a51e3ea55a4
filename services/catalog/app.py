"""Composition root of the catalog: runtime (db, broker, relay), each feature's consumers, workers and
admin routes, and one TikTok client shared by the features."""

from __future__ import annotations

from fastapi import FastAPI

from libs.common.db import load_migrations
from libs.common.runtime import ServiceRuntime, create_app
from libs.common.tiktok.service_client import service_tiktok_client
from libs.common.tiktok.tokens import TokenProvider
from services.catalog.editing import api as editing_api
from services.catalog.editing.service import Editor
from services.catalog.editing.tiktok import EditingTikTok
from services.catalog.importing import api as importing_api
from services.catalog.importing.tiktok import ImportTikTok
from services.catalog.posting import api as posting_api
from services.catalog.posting import handlers as posting_handlers
from services.catalog.posting import webhooks as posting_webhooks
from services.catalog.posting.jobs import PostJobs
from services.catalog.posting.review import ReviewWorker
from services.catalog.posting.service import Poster
from services.catalog.posting.tiktok import PostingTikTok
from services.catalog.products import api as products_api
from services.catalog.products.service import Products
from services.catalog.settings import CatalogSettings
from services.catalog.shadows import api as shadows_api
from services.catalog.shops import handlers as shops_handlers
from services.catalog.sync import api as sync_api
from services.catalog.sync import handlers as sync_handlers
from services.catalog.sync.tiktok import SyncTikTok
from services.catalog.sync.worker import ListingUploader
from services.catalog.taxonomy import api as taxonomy_api
from services.catalog.taxonomy.service import AttributeJobs
from services.catalog.taxonomy.tiktok import TaxonomyTikTok


def build_app(settings: CatalogSettings | None = None, *, tokens: TokenProvider | None = None) -> FastAPI:
    """The catalog app. ``tokens`` replaces the auth-service token provider (tests)."""
    settings = settings or CatalogSettings()
    runtime = ServiceRuntime(settings, load_migrations("services.catalog.migrations", prefix="service"))
    shops_handlers.register(runtime)
    sync_handlers.register(runtime, coalesce_s=settings.upload_coalesce_s)
    posting_handlers.register(runtime)
    app = create_app(runtime, title="ttshop catalog")
    app.include_router(sync_api.router)
    app.include_router(importing_api.router)
    app.include_router(products_api.router)
    app.include_router(taxonomy_api.router)
    app.include_router(posting_api.router)
    app.include_router(posting_webhooks.router)
    app.include_router(editing_api.router)
    app.include_router(shadows_api.router)

    async def start_tiktok(rt: ServiceRuntime) -> None:
        client = service_tiktok_client(rt, tokens=tokens)
        app.state.import_tiktok = ImportTikTok(client)
        app.state.uploader = ListingUploader(pool=rt.db(), tiktok=SyncTikTok(client), settings=settings,
                                             source=rt.source, wake_relay=rt.wake_relay)
        app.state.taxonomy_tiktok = TaxonomyTikTok(client)
        app.state.attribute_jobs = AttributeJobs(
            pool=rt.db(), tiktok=app.state.taxonomy_tiktok, poll_s=settings.job_poll_s,
            lease_s=settings.job_lease_s, concurrency=settings.attribute_download_concurrency,
        )
        app.state.wake_taxonomy_jobs = app.state.attribute_jobs.wake
        assert rt.http is not None, "runtime not started"
        app.state.products = Products(pool=rt.db(), http=rt.http, source=rt.source,
                                      max_children=settings.max_variations,
                                      fetch_timeout_s=settings.media_fetch_timeout_s)
        posting = PostingTikTok(client)
        app.state.poster = Poster(pool=rt.db(), tiktok=posting, default_warehouse=app.state.uploader.default_warehouse,
                                  source=rt.source, max_children=settings.max_variations, wake_relay=rt.wake_relay,
                                  webhook_address=settings.webhook_address())
        app.state.editor = Editor(pool=rt.db(), poster=app.state.poster, tiktok=EditingTikTok(client),
                                  source=rt.source, wake_relay=rt.wake_relay, wake_uploader=app.state.uploader.wake)
        app.state.poster.catch_up = lambda shop_id, sku: app.state.editor.update(shop_id, sku, "partial")
        app.state.review = ReviewWorker(pool=rt.db(), tiktok=posting, source=rt.source, poll_s=settings.review_poll_s,
                                        reconcile_s=settings.review_reconcile_s, wake_relay=rt.wake_relay,
                                        wake_uploader=app.state.uploader.wake)
        app.state.wake_review = app.state.review.wake
        app.state.post_jobs = PostJobs(pool=rt.db(), poster=app.state.poster, poll_s=settings.job_poll_s,
                                       lease_s=settings.job_lease_s, concurrency=settings.post_concurrency,
                                       limit_wait_s=settings.listing_limit_wait_s or None)
        app.state.wake_post_jobs = app.state.post_jobs.wake

    async def upload_loop(rt: ServiceRuntime) -> None:
        await app.state.uploader.run()

    async def attribute_job_loop(rt: ServiceRuntime) -> None:
        await app.state.attribute_jobs.run()

    async def review_loop(rt: ServiceRuntime) -> None:
        await app.state.review.run()

    async def post_job_loop(rt: ServiceRuntime) -> None:
        await app.state.post_jobs.run()

    def wake_workers() -> None:
        """An applied stock/price change may have queued an upload: look when it falls due, not at the next poll."""
        uploader = getattr(app.state, "uploader", None)
        if uploader is not None:
            uploader.wake()
        post_jobs = getattr(app.state, "post_jobs", None)
        if post_jobs is not None:  # a ready product may have joined the shop's auto-post job
            post_jobs.wake()

    runtime.on_start(start_tiktok)
    runtime.on_after_commit(wake_workers)
    runtime.add_loop("listing-uploader", upload_loop)
    runtime.add_loop("attribute-jobs", attribute_job_loop)
    runtime.add_loop("listing-review", review_loop)
    runtime.add_loop("post-jobs", post_job_loop)
    return app
