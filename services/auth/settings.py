from __future__ import annotations

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import SettingsConfigDict

from libs.common.credentials import Credentials
from libs.common.settings import ServiceSettings


class AuthSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="AUTH_", extra="ignore", populate_by_name=True)

    service_name: str = "auth"
    db_schema: str = "auth"
    port: int = 8101
    encryption_keys: SecretStr | None = Field(
        default=None,
        description=(
            "Comma-separated Fernet keys encrypting tokens at rest (R6). The first encrypts; all decrypt,"
            " so a new key can be put first and old ones kept until `rotate` has rewritten every row."
        ),
    )
    internal_credentials: SecretStr | None = Field(
        default=None,
        description=(
            "Who may fetch shop tokens from `/internal/shops/{id}/token`: `name=secret` pairs, one per"
            " service (`orders=…,catalog=…,fulfillment=…`); each presents its own `INTERNAL_API_TOKEN`."
            " Unset: the endpoint answers 503."
        ),
    )
    refresh_margin_s: int = Field(default=24 * 3600, ge=60, description="Refresh this long before expiry.")
    refresh_check_interval_s: float = Field(default=60.0, gt=0)
    refresh_jitter_s: float = Field(default=600.0, ge=0, description="Spreads refreshes of many shops.")
    max_shops_per_tax_id: int = Field(default=5, ge=1)
    public_webhook_url: str | None = Field(
        default=None,
        description=(
            "Where TikTok sends SELLER_DEAUTHORIZATION and UPCOMING_AUTHORIZATION_EXPIRATION for the shops"
            " connected here (registered at connect). Unset: http://127.0.0.1:<port>/webhooks/tiktok;"
            " empty: do not register."
        ),
    )
    authorization_warning_s: int = Field(
        default=7 * 86_400, ge=0, description="Warn (shops list/show) when the refresh token ends within this."
    )

    @field_validator("internal_credentials")
    @classmethod
    def _internal_credentials_usable(cls, value: SecretStr | None) -> SecretStr | None:
        Credentials.parse(value, setting="AUTH_INTERNAL_CREDENTIALS")
        return value

    def webhook_address(self) -> str | None:
        """The address to register, or None when registration is off (empty, or no fixed port)."""
        if self.public_webhook_url is not None:
            return self.public_webhook_url.strip() or None
        return f"http://127.0.0.1:{self.port}/webhooks/tiktok" if self.port else None
