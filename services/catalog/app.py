"""Composition root of the catalog: runtime (db, broker, relay), each feature's consumers, workers and
admin routes, and one TikTok client shared by the features."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from fastapi import FastAPI

from libs.common import metrics
from libs.common.db import load_migrations
from libs.common.retention import Kept
from libs.common.runtime import ServiceRuntime, create_app
from libs.common.status import add_status_part
from libs.common.tiktok.client import TikTokClient
from libs.common.tiktok.service_client import service_tiktok_client
from libs.common.tiktok.tokens import TokenProvider
from services.catalog.editing import api as editing_api
from services.catalog.editing.service import Editor
from services.catalog.editing.tiktok import EditingTikTok
from services.catalog.importing import api as importing_api
from services.catalog.importing.tiktok import ImportTikTok
from services.catalog.posting import api as posting_api
from services.catalog.posting import handlers as posting_handlers
from services.catalog.posting.jobs import api as post_jobs_api
from services.catalog.posting.jobs import repo as post_jobs_repo
from services.catalog.posting.jobs.worker import PostJobs
from services.catalog.posting.review import api as review_api
from services.catalog.posting.review.worker import ReviewWorker
from services.catalog.posting.service import Poster
from services.catalog.posting.tiktok import PostingTikTok
from services.catalog.products import api as products_api
from services.catalog.products.browse import api as products_browse_api
from services.catalog.products.service import Products
from services.catalog.settings import CatalogSettings
from services.catalog.shadows import api as shadows_api
from services.catalog.shops import handlers as shops_handlers
from services.catalog.sync import api as sync_api
from services.catalog.sync import handlers as sync_handlers
from services.catalog.sync.domain import Kind
from services.catalog.sync.status import api as sync_status_api
from services.catalog.sync.status import repo as sync_status
from services.catalog.sync.tiktok import SyncTikTok
from services.catalog.sync.worker import ListingUploader
from services.catalog.taxonomy import api as taxonomy_api
from services.catalog.taxonomy import repo as taxonomy_repo
from services.catalog.taxonomy.tiktok import TaxonomyTikTok
from services.catalog.taxonomy.worker import AttributeJobs


def build_app(settings: CatalogSettings | None = None, *, tokens: TokenProvider | None = None) -> FastAPI:
    """The catalog app. ``tokens`` replaces the auth-service token provider (tests)."""
    settings = settings or CatalogSettings()
    runtime = ServiceRuntime(settings, load_migrations("services.catalog.migrations", prefix="service"))
    shops_handlers.register(runtime)
    sync_handlers.register(runtime, coalesce_s=settings.upload_coalesce_s)
    posting_handlers.register(runtime)
    # TikTok re-sends a notification for 12 hours at most: the ones acted on are forgotten after the retention.
    runtime.keep_for_repeats(Kept("webhook_notifications", "received_at"))
    app = create_app(runtime, title="ttshop catalog")
    app.include_router(sync_api.router)
    app.include_router(sync_status_api.router)
    app.include_router(importing_api.router)
    app.include_router(products_browse_api.router)  # GET /products, beside the /products/{seller_sku} routes
    app.include_router(products_api.router)
    app.include_router(taxonomy_api.router)
    app.include_router(posting_api.router)
    app.include_router(post_jobs_api.router)
    app.include_router(review_api.router)
    app.include_router(editing_api.router)
    app.include_router(shadows_api.router)
    add_status_part(app, "last_inventory_push", partial(sync_status.last_pushes, kind=Kind.INVENTORY))

    def tiktok(rt: ServiceRuntime) -> TikTokClient:
        """One client (token cache and rate limits) for every feature."""
        return service_tiktok_client(rt, tokens=tokens)

    def get(rt: ServiceRuntime, name: str) -> Any:
        return rt.components.get(name)

    def products(rt: ServiceRuntime) -> Products:
        assert rt.http is not None, "runtime not started"
        return Products(pool=rt.db(), http=rt.http, source=rt.source, max_children=settings.max_variations,
                        fetch_timeout_s=settings.media_fetch_timeout_s)

    def poster(rt: ServiceRuntime) -> Poster:
        found = Poster(pool=rt.db(), tiktok=get(rt, "posting-tiktok"), source=rt.source,
                       default_warehouse=get(rt, "listing-uploader").default_warehouse,
                       max_children=settings.max_variations, wake_relay=rt.wake_relay,
                       webhook_address=settings.webhook_address())
        found.catch_up = lambda shop_id, sku: get(rt, "editor").update(shop_id, sku, "partial")
        return found

    def wake_uploader(rt: ServiceRuntime) -> Callable[[], None]:
        return lambda: rt.components.wake("listing-uploader")

    runtime.provide("tiktok", tiktok)
    runtime.provide("import-tiktok", lambda rt: ImportTikTok(get(rt, "tiktok")))
    runtime.provide("taxonomy-tiktok", lambda rt: TaxonomyTikTok(get(rt, "tiktok")))
    runtime.provide("posting-tiktok", lambda rt: PostingTikTok(get(rt, "tiktok")))
    runtime.add_worker("listing-uploader", lambda rt: ListingUploader(
        pool=rt.db(), tiktok=SyncTikTok(get(rt, "tiktok")), settings=settings, source=rt.source,
        wake_relay=rt.wake_relay))
    runtime.add_worker("attribute-jobs", lambda rt: AttributeJobs(
        pool=rt.db(), tiktok=get(rt, "taxonomy-tiktok"), poll_s=settings.job_poll_s, lease_s=settings.job_lease_s,
        concurrency=settings.attribute_download_concurrency))
    runtime.provide("products", products)
    runtime.provide("poster", poster)
    runtime.provide("editor", lambda rt: Editor(
        pool=rt.db(), poster=get(rt, "poster"), tiktok=EditingTikTok(get(rt, "tiktok")), source=rt.source,
        wake_relay=rt.wake_relay, wake_uploader=wake_uploader(rt)))
    runtime.add_worker("listing-review", lambda rt: ReviewWorker(
        pool=rt.db(), tiktok=get(rt, "posting-tiktok"), source=rt.source, poll_s=settings.review_poll_s,
        reconcile_s=settings.review_reconcile_s, wake_relay=rt.wake_relay, wake_uploader=wake_uploader(rt)))
    runtime.add_worker("post-jobs", lambda rt: PostJobs(
        pool=rt.db(), poster=get(rt, "poster"), poll_s=settings.job_poll_s, lease_s=settings.job_lease_s,
        concurrency=settings.post_concurrency, limit_wait_s=settings.listing_limit_wait_s or None))
    # An applied stock/price change may have queued an upload, a ready product may have joined the shop's
    # auto-post job: look when it falls due, not at the next poll.
    runtime.on_after_commit(lambda: runtime.components.wake("listing-uploader", "post-jobs"))
    runtime.collect(metrics.INVENTORY_SYNC_WAITING, sync_status.waiting_by_shop)
    runtime.collect(metrics.INVENTORY_SYNC_LAG, sync_status.oldest_waiting_s)
    runtime.collect(metrics.JOBS, taxonomy_repo.open_job_counts, kind="attributes")
    runtime.collect(metrics.JOBS, post_jobs_repo.open_counts, kind="post")
    return app
