"""Settings of the orders service (env prefix ``ORDERS_``; shared ones are unprefixed)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from libs.common.settings import ServiceSettings
from libs.common.watermark import Window


class OrdersSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="ORDERS_", extra="ignore", populate_by_name=True)

    service_name: str = "orders"
    db_schema: str = "orders"
    port: int = 8103
    poll_interval_s: float = Field(
        default=30.0, gt=0, description="Reconciliation poll of every shop that allows order download."
    )
    poll_overlap_s: int = Field(
        default=300, ge=0, description="Each poll re-reads from the watermark minus this many seconds."
    )
    initial_lookback_s: int = Field(
        default=86400, ge=0, description="How far back the first poll of a newly allowed shop reads."
    )
    page_size: int = Field(default=100, ge=1, le=100, description="TikTok search page size (1-100).")
    job_poll_interval_s: float = Field(default=1.0, gt=0, description="How often idle job workers look for jobs.")
    job_lease_s: int = Field(
        default=120, ge=5, description="A running job whose worker went silent this long is taken over."
    )
    webhook_poll_interval_s: float = Field(
        default=1.0, gt=0, description="How often the webhook worker looks for notifications it was not woken for."
    )
    webhook_max_attempts: int = Field(
        default=5, ge=1, description="Fetch attempts per notification before it is given up (the poll catches up)."
    )
    webhook_batch_size: int = Field(default=200, ge=1, description="Notifications claimed per worker round.")
    settlement_interval_s: float = Field(
        default=900.0, gt=0, description="Finance statements (settlements) import of every shop that downloads orders."
    )
    settlement_overlap_s: int = Field(
        default=172_800, ge=0, description="Each import re-reads statements from the watermark minus this (late ones)."
    )
    settlement_initial_lookback_s: int = Field(
        default=30 * 86_400, ge=0, description="How far back the first settlement import of a shop reads."
    )

    @property
    def poll_window(self) -> Window:
        return Window(self.poll_overlap_s, self.initial_lookback_s)

    @property
    def settlement_window(self) -> Window:
        return Window(self.settlement_overlap_s, self.settlement_initial_lookback_s)
