"""Sandbox settings (env prefix ``SANDBOX_``), read once in ``__main__`` or by the test building the app."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from libs.common.settings import SANDBOX_APP_KEY, SANDBOX_APP_SECRET

DAY_S = 86_400


class SandboxSettings(BaseSettings):
    """Everything the local TikTok Shop stand-in can be tuned with."""

    model_config = SettingsConfigDict(env_prefix="SANDBOX_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = 8100
    app_key: str = SANDBOX_APP_KEY
    app_secret: SecretStr = SecretStr(SANDBOX_APP_SECRET)
    access_token_ttl_s: int = Field(default=7 * DAY_S, gt=0)
    refresh_token_ttl_s: int = Field(default=30 * DAY_S, gt=0)
    auth_code_ttl_s: int = Field(default=1800, gt=0)
    rate_limit_qps: int = Field(default=50, gt=0, description="Calls per second per (app, shop, endpoint).")
    webhook_url: str = Field(
        default="http://127.0.0.1:8103/webhooks/tiktok",
        description="Where webhooks go unless a shop registered its own address; empty = no webhooks.",
    )
    webhook_retry_delays_s: list[float] = Field(
        default_factory=lambda: [120.0, 1800.0, 10800.0, 43200.0],
        description="Delay before each retry of a failed delivery (TikTok: 2 min, 30 min, 3 h, 12 h).",
    )
    webhook_timeout_s: float = Field(default=3.0, gt=0)
    timestamp_past_window_s: int = Field(default=300, ge=0, description="How old a request timestamp may be.")
    timestamp_future_window_s: int = Field(default=30, ge=0, description="How far ahead a timestamp may be.")
    max_skus_per_product: int = Field(
        default=100, ge=1, le=1000, description="SKUs a listing may have (TikTok allows 300 in some regions)."
    )
    listing_limit_per_day: int = Field(
        default=1000, ge=0, description="Products a shop may create per UTC day unless set per shop (12052093 past it)."
    )
    review_delay_s: float | None = Field(
        default=2.0, description="Seconds until a listing created or edited through the API is approved by itself; "
        "negative (or None): only POST /sandbox/products/{id}/review ends a review.",
    )
    log_level: str = "INFO"
