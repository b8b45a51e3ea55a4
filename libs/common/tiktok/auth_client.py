"""TikTok's token endpoints (auth host): exchange an auth code, refresh a token.

Only the auth service uses this. These calls are GETs with ``app_secret`` in the query
string and are not signed, so the URL is never logged nor put into an error.

No automatic retries: an auth code works once, so resending after a lost answer would turn
success into "code already used". Errors carry ``.transient`` for the caller to decide.
"""

from __future__ import annotations

import time
from typing import Any

import httpx
import structlog
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

from libs.common import metrics
from libs.common.tiktok.client import parse_envelope
from libs.common.tiktok.errors import BAD_RESPONSE_CODE, TikTokError, TikTokUnavailable, redact

log = structlog.get_logger(__name__)

TOKEN_GET_PATH = "/api/v2/token/get"
TOKEN_REFRESH_PATH = "/api/v2/token/refresh"


class TokenGrant(BaseModel):
    """``data`` of a token answer. Expiry fields are absolute Unix seconds (despite the name)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    access_token: SecretStr
    access_token_expire_in: int
    refresh_token: SecretStr
    refresh_token_expire_in: int
    open_id: str = ""
    seller_name: str = ""
    seller_base_region: str = ""
    user_type: int = 0
    granted_scopes: list[str] = Field(default_factory=list)


class TikTokAuthClient:
    def __init__(self, http: httpx.AsyncClient, base_url: str, app_key: str, app_secret: SecretStr) -> None:
        self._http = http
        self._base_url = base_url.rstrip("/")
        self._app_key = app_key
        self._app_secret = app_secret

    def __repr__(self) -> str:
        return f"TikTokAuthClient(base_url={self._base_url!r}, app_key={self._app_key!r})"

    async def get_token(self, auth_code: str) -> TokenGrant:
        """Exchange the seller's single-use ``auth_code`` (from the redirect) for tokens."""
        return await self._request(
            TOKEN_GET_PATH, {"auth_code": auth_code, "grant_type": "authorized_code"}, auth_code
        )

    async def refresh(self, refresh_token: SecretStr) -> TokenGrant:
        secret = refresh_token.get_secret_value()
        return await self._request(
            TOKEN_REFRESH_PATH, {"refresh_token": secret, "grant_type": "refresh_token"}, secret
        )

    async def _request(self, path: str, extra: dict[str, str], credential: str) -> TokenGrant:
        params = {"app_key": self._app_key, "app_secret": self._app_secret.get_secret_value(), **extra}
        secrets = (self._app_secret.get_secret_value(), credential)
        started = time.monotonic()
        try:
            response = await self._http.get(self._base_url + path, params=params)
        except httpx.TransportError as exc:
            metrics.tiktok_call(path, "GET", "transport", time.monotonic() - started)
            # str(exc) could in theory mention the URL; redact all credentials from it.
            raise TikTokUnavailable(redact(f"{type(exc).__name__}: {exc}", secrets), path) from None
        code: int | None = None
        request_id: str | None = None
        try:
            data, request_id = parse_envelope(response, path, secrets)
            code = 0
        except TikTokError as exc:
            code, request_id = exc.code, exc.request_id
            raise
        finally:
            metrics.tiktok_call(path, "GET", code if code is not None else "error", time.monotonic() - started)
            log.debug(
                "tiktok.token", path=path, http_status=response.status_code, code=code,
                request_id=request_id, duration_ms=int((time.monotonic() - started) * 1000),
            )
        return _grant(data, path, request_id)


def _grant(data: dict[str, Any], path: str, request_id: str | None) -> TokenGrant:
    try:
        return TokenGrant.model_validate(data)
    except ValidationError as exc:
        # Only field names and error kinds: input values could be tokens.
        problems = ", ".join(f"{'.'.join(map(str, e['loc']))}: {e['type']}" for e in exc.errors())
        raise TikTokError(
            BAD_RESPONSE_CODE, f"token answer is missing or has bad fields ({problems})", request_id, None, path
        ) from None
