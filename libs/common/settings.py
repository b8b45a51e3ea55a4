"""Typed settings. Shared infrastructure settings are read from unprefixed variables
(``DATABASE_URL``, ``KAFKA_BOOTSTRAP_SERVERS``, ``TIKTOK_*``, ``INTERNAL_API_TOKEN``); each service
subclasses :class:`ServiceSettings` with its own ``env_prefix`` for what is its own (port, intervals).
Read once, in the composition root; never at import time.
"""

from __future__ import annotations

from typing import Self

from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from libs.common.credentials import Credentials

DEFAULT_SANDBOX_URL = "http://127.0.0.1:8100"
#: The app key/secret the local sandbox issues by default. Real deployments set their own.
SANDBOX_APP_KEY = "ttshop-sandbox-app"
SANDBOX_APP_SECRET = "ttshop-sandbox-secret"


def _env(name: str) -> AliasChoices:
    return AliasChoices(name, name.lower())


class SharedSettings(BaseSettings):
    """Settings every process shares (infrastructure and TikTok app credentials)."""

    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    database_url: str | None = Field(
        default=None,
        validation_alias=_env("DATABASE_URL"),
        description="PostgreSQL DSN of the service's own role (`ttshop_<schema>`, made by the database "
        "bootstrap). For `ttshop dev` the admin DSN it bootstraps with; unset: it starts an embedded server.",
    )
    kafka_bootstrap_servers: str = Field(
        default="127.0.0.1:9092", validation_alias=_env("KAFKA_BOOTSTRAP_SERVERS")
    )
    kafka_topic_partitions: int = Field(default=3, ge=1, validation_alias=_env("KAFKA_TOPIC_PARTITIONS"))
    kafka_replication_factor: int = Field(default=1, ge=1, validation_alias=_env("KAFKA_REPLICATION_FACTOR"))
    kafka_enable_idempotence: bool = Field(
        default=False,
        validation_alias=_env("KAFKA_ENABLE_IDEMPOTENCE"),
        description="Turn on for real Apache Kafka; the embedded Tansu broker does not support it.",
    )
    tiktok_api_base_url: str = Field(default=DEFAULT_SANDBOX_URL, validation_alias=_env("TIKTOK_API_BASE_URL"))
    tiktok_auth_base_url: str = Field(default=DEFAULT_SANDBOX_URL, validation_alias=_env("TIKTOK_AUTH_BASE_URL"))
    tiktok_app_key: str = Field(default=SANDBOX_APP_KEY, validation_alias=_env("TIKTOK_APP_KEY"))
    tiktok_app_secret: SecretStr = Field(
        default=SecretStr(SANDBOX_APP_SECRET), validation_alias=_env("TIKTOK_APP_SECRET")
    )
    tiktok_qps_per_endpoint: float = Field(default=50.0, gt=0, validation_alias=_env("TIKTOK_QPS_PER_ENDPOINT"))
    internal_api_token: SecretStr | None = Field(
        default=None,
        validation_alias=_env("INTERNAL_API_TOKEN"),
        description="This service's own credential for the auth service's internal token endpoint.",
    )
    admin_api_credentials: SecretStr | None = Field(
        default=None,
        validation_alias=_env("ADMIN_API_CREDENTIALS"),
        description=(
            "Who may call the admin API: `name=secret` pairs, comma-separated, one per caller (`cli=…,console=…`);"
            " each presents `Authorization: Bearer <its secret>` (the CLI sends `ADMIN_API_TOKEN`). Unset: open."
        ),
    )
    auth_service_url: str = Field(default="http://127.0.0.1:8101", validation_alias=_env("AUTH_SERVICE_URL"))
    log_level: str = Field(default="INFO", validation_alias=_env("LOG_LEVEL"))
    log_json: bool = Field(default=True, validation_alias=_env("LOG_JSON"))

    @field_validator("admin_api_credentials")
    @classmethod
    def _credentials_usable(cls, value: SecretStr | None) -> SecretStr | None:
        Credentials.parse(value, setting="ADMIN_API_CREDENTIALS")  # raises with the entry that is wrong
        return value


class TopicSettings(BaseSettings):
    """How the contract topics and their DLQs are created by `ttshop topics ensure` and ``python -m
    libs.common.topics`` (the topics one-shot of ``deploy/``, run before the services). The defaults are
    production ones; the local stack (`ttshop dev`, tests) passes its own (one broker: 3 partitions, 1 replica).
    A service creating a topic that is still missing at its start reads the same two variables
    (:class:`SharedSettings`), with the local stack's defaults."""

    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    kafka_bootstrap_servers: str = Field(
        default="127.0.0.1:9092", validation_alias=_env("KAFKA_BOOTSTRAP_SERVERS"),
        description="Kafka bootstrap servers (PLAINTEXT).",
    )
    kafka_topic_partitions: int = Field(
        default=12, ge=1, validation_alias=_env("KAFKA_TOPIC_PARTITIONS"),
        description="Partitions of each topic and its DLQ: a consumer group uses at most one replica per partition.",
    )
    kafka_replication_factor: int = Field(
        default=3, ge=1, validation_alias=_env("KAFKA_REPLICATION_FACTOR"),
        description="Replicas of each partition (at most the number of brokers).",
    )
    kafka_min_insync_replicas: int = Field(
        default=2, ge=1, validation_alias=_env("KAFKA_MIN_INSYNC_REPLICAS"),
        description="`min.insync.replicas` of each topic: a write (acks=all) needs this many replicas in sync.",
    )

    @model_validator(mode="after")
    def _insync_within_replicas(self) -> Self:
        if self.kafka_min_insync_replicas > self.kafka_replication_factor:
            raise ValueError(
                f"KAFKA_MIN_INSYNC_REPLICAS={self.kafka_min_insync_replicas} is more than KAFKA_REPLICATION_FACTOR="
                f"{self.kafka_replication_factor}: no write could succeed; lower it or raise the replication factor"
            )
        return self


class ServiceSettings(SharedSettings):
    """Base for one service's settings; subclasses set ``env_prefix`` and defaults."""

    service_name: str = "service"
    db_schema: str = "public"
    host: str = "127.0.0.1"
    port: int = 8000
    db_pool_min: int = 1
    db_pool_max: int = 10
    consumer_group: str | None = Field(
        default=None, description="Kafka consumer group; default `ttshop-<service_name>`."
    )
    consumer_batch_size: int = Field(
        default=100, ge=1, le=1000, description="Records handled in one transaction and one offset commit."
    )
    consumer_max_attempts: int = Field(default=5, ge=1, description="Attempts before a message goes to the DLQ.")
    consumer_backoff_initial_s: float = 0.2
    consumer_backoff_max_s: float = 5.0
    authorization_recheck_s: float = Field(
        default=60.0, gt=0,
        description="Work held for a shop that is not authorised is looked at again this often "
        "(re-authorising the shop sends it at once).",
    )
    outbox_batch_size: int = 500
    outbox_idle_poll_s: float = 0.2
    retention_days: float = Field(
        default=30.0, gt=0,
        description="Consumed event ids (the inbox) and TikTok notifications acted on are forgotten after this "
        "many days: keep it above the topics' retention and how far back dead letters are replayed (an event "
        "coming again after it would be applied again).",
    )
    retention_interval_s: float = Field(default=3600.0, gt=0, description="How often the retention pass runs.")
    metrics_require_credential: bool = Field(
        default=False,
        validation_alias=_env("METRICS_REQUIRE_CREDENTIAL"),
        description="`GET /metrics` (Prometheus) asks for an `ADMIN_API_CREDENTIALS` caller's secret like the rest "
        "of the admin API (give the scraper its own entry, e.g. `prometheus=…`). Off: open, like `/healthz`.",
    )
