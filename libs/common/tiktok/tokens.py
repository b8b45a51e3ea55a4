"""Where the client gets a shop's access token and cipher.

Only the auth service talks to TikTok's token endpoints; every other service asks auth over
its internal HTTP API (``GET /internal/shops/{shop_id}/token``) through
:class:`AuthServiceTokenProvider`, which caches the answer until shortly before expiry.

Every token auth hands out carries a *generation*, raised by auth each time the shop's access token
changes (connect, reconnect, refresh). Two things drop a cached token before its expiry:

* TikTok refuses it (:class:`~libs.common.tiktok.errors.TokenRefused`): the client calls
  ``invalidate(shop_id, refused_generation)`` and the next ``get`` asks auth for a token newer than
  that generation, so auth refreshes instead of handing the refused token out again;
* ``shops.changed`` says the shop's tokens changed or stopped working (:meth:`observe`, fed by the
  runtime from every service's shops consumer), so a re-authorised shop resumes at once.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import httpx
import structlog
from pydantic import SecretStr

from libs.common.events.shops import ShopConnected, ShopDisconnected, ShopSettingsChanged
from libs.common.tiktok.errors import TikTokUnavailable, TokenRefused

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class ShopAccess:
    """What a shop-scoped call needs. ``access_token`` is a SecretStr, so repr stays safe."""

    shop_id: str
    shop_cipher: str | None
    access_token: SecretStr
    expires_at: float  # unix seconds
    #: Auth's counter of the shop's access tokens (0 when unknown): which token TikTok refused.
    generation: int = 0


ShopEvent = ShopConnected | ShopSettingsChanged | ShopDisconnected


class TokenProvider(Protocol):
    async def get(self, shop_id: str) -> ShopAccess: ...

    async def invalidate(self, shop_id: str, refused_generation: int | None = None) -> None:
        """TikTok refused the shop's token of ``refused_generation``: never hand that one out again."""
        ...


class ShopNotAuthorized(Exception):
    """The auth service has no usable token for this shop (unknown, disconnected, needs re-auth).

    Not transient: retrying will not help until an operator reconnects the shop.
    """

    transient = False

    def __init__(self, shop_id: str, reason: str) -> None:
        self.shop_id = shop_id
        self.reason = reason
        super().__init__(f"shop {shop_id} is not authorised: {reason}")


class TokenServiceUnavailable(TikTokUnavailable):
    """The auth service could not be reached or answered 5xx / garbage (transient)."""


#: Work failed because the shop's tokens do not work now (auth has no usable token, or TikTok refused
#: even a fresh one). Such work is held, not counted as a failed attempt and never given up: it goes
#: out once the shop is authorised again (``shops.changed`` says so). ``except AUTHORIZATION_PROBLEMS``.
AUTHORIZATION_PROBLEMS: tuple[type[Exception], ...] = (ShopNotAuthorized, TokenRefused)


class TokenServiceRejected(Exception):
    """The auth service refused the request itself (401/403/4xx): a configuration problem,
    e.g. a wrong ``INTERNAL_API_TOKEN``. Not transient."""

    transient = False


class AuthServiceTokenProvider(TokenProvider):
    """:class:`TokenProvider` backed by the auth service, with a per-shop cache.

    Concurrent ``get`` calls for the same shop make one HTTP request (per-shop lock);
    ``invalidate`` (after TikTok refused the token) makes the next ``get`` ask auth for a token newer
    than the refused one, which auth refreshes on TikTok once, however many callers ask.
    """

    def __init__(
        self,
        *,
        http: httpx.AsyncClient,
        auth_service_url: str,
        internal_api_token: SecretStr | None,
        margin_s: float = 300.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._http = http
        self._base = auth_service_url.rstrip("/")
        self._internal_token = internal_api_token
        self._margin_s = margin_s
        self._clock = clock
        self._cache: dict[str, ShopAccess] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self._refused: dict[str, int] = {}

    def __repr__(self) -> str:
        return f"AuthServiceTokenProvider(auth_service_url={self._base!r}, cached_shops={len(self._cache)})"

    def _fresh(self, shop_id: str) -> ShopAccess | None:
        access = self._cache.get(shop_id)
        if access is not None and access.expires_at - self._margin_s > self._clock():
            return access
        return None

    async def get(self, shop_id: str) -> ShopAccess:
        access = self._fresh(shop_id)
        if access is not None:
            return access
        lock = self._locks.setdefault(shop_id, asyncio.Lock())
        async with lock:
            access = self._fresh(shop_id)  # another waiter may have fetched it meanwhile
            if access is None:
                access = await self._fetch(shop_id)
                self._cache[shop_id] = access
            return access

    async def invalidate(self, shop_id: str, refused_generation: int | None = None) -> None:
        cached = self._cache.get(shop_id)
        if refused_generation is not None:
            if cached is not None and cached.generation > refused_generation:
                return  # another caller already brought a newer token
            self._refused[shop_id] = max(refused_generation, self._refused.get(shop_id, refused_generation))
        self._cache.pop(shop_id, None)

    def observe(self, data: ShopEvent) -> None:
        """A ``shops.changed`` event: drop the cached token when the shop's tokens changed (a newer
        generation: reconnected, refreshed) or stopped working (not active, disconnected)."""
        cached = self._cache.get(data.shop_id)
        if cached is None:
            return
        generation = None if isinstance(data, ShopDisconnected) else data.token_generation
        stopped = isinstance(data, ShopDisconnected) or data.status != "active"
        if stopped or (generation is not None and generation > cached.generation):
            self._cache.pop(data.shop_id, None)
            log.info("tiktok.token.dropped", shop_id=data.shop_id, cached_generation=cached.generation,
                     event_generation=generation, reason="shop not active" if stopped else "newer token")

    async def _fetch(self, shop_id: str) -> ShopAccess:
        path = f"/internal/shops/{shop_id}/token"
        headers = {}
        if self._internal_token is not None:
            headers["Authorization"] = f"Bearer {self._internal_token.get_secret_value()}"
        refused = self._refused.get(shop_id)
        params = {"refused_generation": str(refused)} if refused is not None else None
        try:
            response = await self._http.get(self._base + path, headers=headers, params=params)
        except httpx.TransportError as exc:
            raise TokenServiceUnavailable(f"auth service unreachable: {type(exc).__name__}", path) from None
        if response.status_code in (404, 409):
            raise ShopNotAuthorized(shop_id, _auth_error_message(response))
        if 400 <= response.status_code < 500:
            raise TokenServiceRejected(
                f"auth service refused the token request for shop {shop_id} with HTTP "
                f"{response.status_code}: {_auth_error_message(response)}; check INTERNAL_API_TOKEN "
                "and AUTH_SERVICE_URL"
            )
        if response.status_code != 200:
            raise TokenServiceUnavailable(
                f"auth service answered HTTP {response.status_code}: {_auth_error_message(response)}", path
            )
        try:
            body = response.json()
            access = ShopAccess(
                shop_id=str(body["shop_id"]),
                shop_cipher=body.get("shop_cipher") or None,
                access_token=SecretStr(str(body["access_token"])),
                expires_at=float(body["expires_at"]),
                generation=int(body.get("token_generation") or 0),
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise TokenServiceUnavailable(
                f"auth service token answer unusable ({type(exc).__name__}); expected "
                "shop_id, shop_cipher, access_token, expires_at",
                path,
            ) from None
        if refused is not None and access.generation > refused:
            self._refused.pop(shop_id, None)
        log.debug("tiktok.token.fetched", shop_id=shop_id, expires_at=access.expires_at,
                  generation=access.generation)
        return access


def _auth_error_message(response: httpx.Response) -> str:
    """The auth service's ``{"error": {"code", "message"}}`` as text (never the raw body)."""
    try:
        body: Any = response.json()
        error = body.get("error") or {}
        code, message = error.get("code"), error.get("message")
        if message:
            return f"{message} ({code})" if code else str(message)
    except (ValueError, AttributeError):
        pass
    return f"HTTP {response.status_code}"
