"""Catalog service settings (env prefix ``CATALOG_``; shared ones are unprefixed)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from libs.common.settings import ServiceSettings


class CatalogSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CATALOG_", extra="ignore", populate_by_name=True)

    service_name: str = "catalog"
    db_schema: str = "catalog"
    port: int = 8102
    consumer_batch_size: int = Field(
        default=500, ge=1, le=1000,
        description="Records handled in one transaction and one offset commit: stock and price changes are "
                    "coalesced and written per batch, so bigger batches read an ERP's resync faster.",
    )

    upload_coalesce_s: float = Field(
        default=0.2, ge=0,
        description="How long a stock/price change waits before it is sent, so a burst of changes to one SKU "
                    "goes out as one call with the last value (R40: sent in about a second).",
    )
    upload_batch_size: int = Field(default=20, ge=1, le=500, description="Uploads claimed per worker pass.")
    upload_poll_s: float = Field(default=2.0, gt=0, description="Idle wait between worker passes (it is also woken).")
    upload_lease_s: float = Field(default=120.0, gt=0, description="How long a claimed upload is reserved for one worker.")
    upload_backoff_initial_s: float = Field(default=1.0, gt=0, description="First retry delay after a transient error.")
    upload_backoff_max_s: float = Field(default=300.0, gt=0, description="Cap of the retry delay.")
    upload_max_attempts: int = Field(default=50, ge=1, description="Transient failures before an upload is marked failed.")
    warehouse_cache_ttl_s: float = Field(
        default=3600.0, gt=0, description="How long the shop's default warehouse (from TikTok) is cached."
    )
    no_warehouse_recheck_s: float = Field(
        default=60.0, ge=0, description="A shop without a default warehouse is asked again after this long."
    )
    import_page_size: int = Field(default=100, ge=1, le=100, description="Listings per page during product import.")
    job_poll_s: float = Field(default=2.0, gt=0, description="Idle wait of the catalog's job worker (it is also woken).")
    job_lease_s: float = Field(
        default=120.0, ge=5, description="A running catalog job whose worker went silent this long is taken over."
    )
    attribute_download_concurrency: int = Field(
        default=8, ge=1, le=64,
        description="Categories whose attributes are fetched at once (the rate limit still caps calls per second).",
    )
    max_variations: int = Field(
        default=100, ge=1, le=1000,
        description="Variations a matrix parent may have (R39: 100; TikTok allows 300 in some regions).",
    )
    media_fetch_timeout_s: float = Field(
        default=10.0, gt=0, description="How long an image URL in a product file may take to answer (fetched once).",
    )
    public_webhook_url: str | None = Field(
        default=None,
        description="Where TikTok sends PRODUCT_STATUS_CHANGE for posted products (registered per shop at the first "
        "post); default this service's own /webhooks/tiktok; empty: not registered (the review poll still runs).",
    )
    review_poll_s: float = Field(default=5.0, gt=0, description="Idle wait of the review worker (webhooks wake it).")
    review_reconcile_s: float = Field(
        default=300.0, gt=0, description="How often TikTok is asked which posted products changed (lost webhooks).",
    )

    post_concurrency: int = Field(
        default=8, ge=1, le=32, description="Products a bulk post job works on at once (rate limits still apply).",
    )
    listing_limit_wait_s: float = Field(
        default=0.0, ge=0,
        description="How long a bulk post paused by TikTok's daily listing limit waits; 0: until just after the "
        "next UTC midnight.",
    )

    def webhook_address(self) -> str | None:
        """The address to register, or None when registration is off (empty, or no fixed port)."""
        if self.public_webhook_url is not None:
            return self.public_webhook_url.strip() or None
        return f"http://{self.host}:{self.port}/webhooks/tiktok" if self.port else None
