"""Console settings (env prefix ``CONSOLE_``; the services' addresses are the CLI's ``<SERVICE>_URL``)."""

from __future__ import annotations

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

#: service -> its admin API's address when nothing is set (the ports `ttshop dev` uses).
DEFAULT_URLS = {
    "auth": "http://127.0.0.1:8101",
    "catalog": "http://127.0.0.1:8102",
    "orders": "http://127.0.0.1:8103",
    "fulfillment": "http://127.0.0.1:8104",
}


def _env(name: str) -> AliasChoices:
    return AliasChoices(name, name.lower())


class ConsoleSettings(BaseSettings):
    """Where the console listens, the admin APIs it is a client of, and how long a sign-in lasts."""

    model_config = SettingsConfigDict(env_prefix="CONSOLE_", extra="ignore", populate_by_name=True)

    host: str = "127.0.0.1"
    port: int = 8105
    log_level: str = Field(default="INFO", validation_alias=_env("LOG_LEVEL"))
    log_json: bool = Field(default=True, validation_alias=_env("LOG_JSON"))
    auth_url: str = Field(default=DEFAULT_URLS["auth"], validation_alias=_env("AUTH_URL"))
    catalog_url: str = Field(default=DEFAULT_URLS["catalog"], validation_alias=_env("CATALOG_URL"))
    orders_url: str = Field(default=DEFAULT_URLS["orders"], validation_alias=_env("ORDERS_URL"))
    fulfillment_url: str = Field(default=DEFAULT_URLS["fulfillment"], validation_alias=_env("FULFILLMENT_URL"))
    kafka_bootstrap_servers: str = Field(
        default="127.0.0.1:9092", validation_alias=_env("KAFKA_BOOTSTRAP_SERVERS"),
        description="Where the dead letters are read and replayed (the `.dlq` topics).",
    )
    session_idle_s: float = Field(
        default=8 * 3600.0, gt=0, description="A sign-in ends after this long without a request."
    )
    session_max_s: float = Field(default=24 * 3600.0, gt=0, description="A sign-in ends this long after it began.")
    cookie_secure: bool = Field(
        default=False,
        description="Send the session cookie over HTTPS only: turn on wherever the console is served over TLS.",
    )
    sign_in_attempts_per_minute: int = Field(
        default=10, ge=1, description="Failed sign-ins allowed per minute from one address before it must wait."
    )
    api_timeout_s: float = Field(default=15.0, gt=0, description="How long an admin API call may take.")
    refresh_s: float = Field(default=3.0, gt=0, description="How often live parts of a page refresh themselves.")
    sync_sample_s: float = Field(
        default=15.0, gt=0, description="How often the sync page's lag chart samples the catalog's sync status."
    )

    def service_urls(self) -> dict[str, str]:
        return {
            "auth": self.auth_url.rstrip("/"),
            "catalog": self.catalog_url.rstrip("/"),
            "orders": self.orders_url.rstrip("/"),
            "fulfillment": self.fulfillment_url.rstrip("/"),
        }
