"""Fulfillment service settings (env prefix ``FULFILLMENT_``; shared ones are unprefixed)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from libs.common.settings import ServiceSettings


class FulfillmentSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="FULFILLMENT_", extra="ignore", populate_by_name=True)

    service_name: str = "fulfillment"
    db_schema: str = "fulfillment"
    port: int = 8104

    upload_batch_size: int = Field(default=10, ge=1, le=500, description="Shipments claimed per worker pass.")
    upload_poll_s: float = Field(default=0.5, gt=0, description="Idle wait between worker passes.")
    upload_lease_s: float = Field(
        default=120.0,
        gt=0,
        description="How long a claimed shipment is reserved for one worker; after a crash it is retried.",
    )
    upload_backoff_initial_s: float = Field(default=2.0, gt=0, description="First retry delay after a transient error.")
    upload_backoff_max_s: float = Field(default=300.0, gt=0, description="Cap of the retry delay.")
    upload_max_attempts: int = Field(
        default=100,
        ge=1,
        description="Transient failures before a shipment is marked failed (retry it with POST /shipments/{id}/retry).",
    )
    provider_cache_ttl_s: float = Field(
        default=6 * 3600.0, gt=0, description="How long the shop's TikTok shipping providers are cached."
    )
    provider_refresh_on_miss_s: float = Field(
        default=300.0,
        ge=0,
        description="An unknown carrier refreshes the provider list if the cache is older than this.",
    )
    shipping_query_interval_s: float = Field(
        default=300.0,
        gt=0,
        description='How often each shop with "query shipping change" on is asked about its open orders (R22).',
    )
    shipping_query_tick_s: float = Field(
        default=5.0, gt=0, description="How often the query loop looks for shops whose query is due."
    )
    shipping_query_batch_size: int = Field(
        default=50, ge=1, le=50, description="Orders per GET /order/202309/orders call (TikTok allows 50)."
    )
