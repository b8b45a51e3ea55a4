"""The signed TikTok Shop Open API client every service builds its endpoint calls on.

One :meth:`TikTokClient.call` does: common parameters (app_key, timestamp, shop_cipher),
signing of exactly the bytes sent, the access-token header, rate limiting, envelope
parsing into typed errors, and retries:

* 429 / 36009002, 5xx / 36009003 and network errors: capped exponential backoff with full
  jitter, up to ``max_attempts`` sends, then the typed error is raised.
* the token refused (105002 expired, 105001 / 36009004 invalid or revoked: :class:`TokenRefused`):
  invalidate the cached token naming its generation, fetch a newer one, retry once.
* anything else: raised at once.

POST calls are retried on those transient answers too. A 429 is refused before processing,
so that is safe; a 5xx or a timeout may hide a request TikTok did carry out. Callers of
non-idempotent endpoints must treat the "already done" answers as success (mark-shipped:
:class:`~libs.common.tiktok.errors.DuplicateTrackingNumber` /
:class:`~libs.common.tiktok.errors.AlreadyShipped`).
"""

from __future__ import annotations

import asyncio
import json as jsonlib
import random
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any

import httpx
import structlog
from pydantic import SecretStr

from libs.common import metrics
from libs.common.limits import storable_json
from libs.common.tiktok import signing
from libs.common.tiktok.errors import (
    BAD_RESPONSE_CODE,
    TikTokError,
    TikTokUnavailable,
    TokenRefused,
    error_from_envelope,
    redact,
)
from libs.common.tiktok.ratelimit import RateLimiter
from libs.common.tiktok.tokens import ShopAccess, TokenProvider

log = structlog.get_logger(__name__)

#: Paths that must not carry ``shop_cipher`` (TikTok answers 36009004 if they do).
NO_CIPHER_PREFIXES = ("/authorization/", "/seller/")
NO_CIPHER_PATHS = frozenset({"/product/202309/images/upload", "/product/202309/files/upload"})


def needs_cipher(path: str) -> bool:
    return not path.startswith(NO_CIPHER_PREFIXES) and path not in NO_CIPHER_PATHS


class TikTokClient:
    def __init__(
        self,
        *,
        http: httpx.AsyncClient,
        base_url: str,
        app_key: str,
        app_secret: SecretStr,
        tokens: TokenProvider | None,
        limiter: RateLimiter | None,
        max_attempts: int = 5,
        backoff_initial_s: float = 0.2,
        backoff_max_s: float = 5.0,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        rng: random.Random | None = None,
    ) -> None:
        if max_attempts < 1:
            raise ValueError(f"max_attempts must be >= 1, got {max_attempts}")
        self._http = http
        self._base_url = base_url.rstrip("/")
        self._app_key = app_key
        self._app_secret = app_secret
        self._tokens = tokens
        self._limiter = limiter
        self._max_attempts = max_attempts
        self._backoff_initial_s = backoff_initial_s
        self._backoff_max_s = backoff_max_s
        self._clock = clock
        self._sleep = sleep
        self._rng = rng or random.Random()

    def __repr__(self) -> str:
        return f"TikTokClient(base_url={self._base_url!r}, app_key={self._app_key!r})"

    def backoff_s(self, failures: int) -> float:
        """Full-jitter delay before the next attempt after ``failures`` transient failures."""
        cap = min(self._backoff_max_s, self._backoff_initial_s * 2 ** (failures - 1))
        return self._rng.uniform(0, cap)

    async def call(
        self,
        method: str,
        path: str,
        *,
        shop_id: str | None = None,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        shop_scoped: bool = True,
        files: Any = None,
        data: Mapping[str, Any] | None = None,
        endpoint: str | None = None,
        access_token: SecretStr | None = None,
    ) -> dict[str, Any]:
        """Call ``method path`` and return the envelope's ``data`` ({} when null).

        ``endpoint`` is the path template for rate limiting (``/order/202309/orders/{id}``);
        default ``path``. ``files``/``data`` make a multipart upload (pass bytes, not open
        files, so a retry can resend them). ``access_token`` bypasses the TokenProvider (auth
        uses it right after a grant, before it knows the shop); it is then not refreshed when refused.
        """
        if data is not None and files is None:
            raise ValueError("data= is only for the non-file fields of a multipart upload (files=)")
        if json is not None and files is not None:
            raise ValueError("pass either json= or files=, not both")
        body = b"" if json is None else jsonlib.dumps(json, separators=(",", ":"), ensure_ascii=False).encode()
        template = endpoint or path
        failures = 0
        token_refreshed = access_token is not None or self._tokens is None or shop_id is None
        attempt = 0
        while True:
            attempt += 1
            access: ShopAccess | None = None
            if access_token is None and self._tokens is not None and shop_id is not None:
                access = await self._tokens.get(shop_id)
            try:
                return await self._attempt(
                    method, path, template, shop_id, params, body, files, data, shop_scoped,
                    access_token, access, attempt,
                )
            except TokenRefused as exc:
                if token_refreshed or access is None:
                    raise
                token_refreshed = True
                assert self._tokens is not None and shop_id is not None
                log.info("tiktok.token.refused", shop_id=shop_id, code=exc.code, generation=access.generation)
                await self._tokens.invalidate(shop_id, refused_generation=access.generation)
            except TikTokError as exc:
                failures += 1
                if not exc.transient or failures >= self._max_attempts:
                    raise
                delay = self.backoff_s(failures)
                if exc.retry_after_s is not None:
                    delay = min(self._backoff_max_s, max(delay, exc.retry_after_s))
                await self._sleep(delay)

    async def paginate(
        self,
        method: str,
        path: str,
        *,
        items_key: str,
        shop_id: str | None = None,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        page_size: int = 100,
        endpoint: str | None = None,
    ) -> AsyncIterator[list[dict[str, Any]]]:
        """Yield each page's ``data[items_key]``, following ``next_page_token`` until "" / absent."""
        page_token = ""
        seen: set[str] = set()
        while True:
            query = {**(params or {}), "page_size": page_size}
            if page_token:
                query["page_token"] = page_token
            data = await self.call(method, path, shop_id=shop_id, params=query, json=json, endpoint=endpoint)
            yield list(data.get(items_key) or [])
            page_token = data.get("next_page_token") or ""
            if not page_token:
                return
            if page_token in seen:
                raise TikTokError(
                    BAD_RESPONSE_CODE, "next_page_token repeats an earlier page; stopping", None, None, path
                )
            seen.add(page_token)

    async def _attempt(
        self,
        method: str,
        path: str,
        template: str,
        shop_id: str | None,
        params: Mapping[str, Any] | None,
        body: bytes,
        files: Any,
        data: Mapping[str, Any] | None,
        shop_scoped: bool,
        access_token: SecretStr | None,
        access: ShopAccess | None,
        attempt: int,
    ) -> dict[str, Any]:
        if self._limiter is not None:  # first: the signed timestamp is then taken when the call goes
            await self._limiter.acquire(shop_id, template)
        if access is not None:
            access_token = access.access_token
        query: dict[str, Any] = {k: v for k, v in (params or {}).items() if v is not None}
        query["app_key"] = self._app_key
        query["timestamp"] = int(self._clock())
        if shop_scoped and access is not None and access.shop_cipher and needs_cipher(path):
            query["shop_cipher"] = access.shop_cipher
        query = signing.flatten_params(query)
        multipart = files is not None
        query["sign"] = signing.sign(
            self._app_secret.get_secret_value(), path, query, body, multipart=multipart
        )
        headers: dict[str, str] = {}
        if access_token is not None:
            headers["x-tts-access-token"] = access_token.get_secret_value()
        if not multipart:
            headers["content-type"] = "application/json"

        secrets = (self._app_secret.get_secret_value(), headers.get("x-tts-access-token"), query["sign"])
        started = time.monotonic()
        try:
            if multipart:
                response = await self._http.request(
                    method, self._base_url + path, params=query, headers=headers, files=files, data=data
                )
            else:
                response = await self._http.request(
                    method, self._base_url + path, params=query, headers=headers, content=body or None
                )
        except httpx.TransportError as exc:
            metrics.tiktok_call(template, method, "transport", time.monotonic() - started)
            log.debug(
                "tiktok.call", method=method, path=template, shop_id=shop_id, attempt=attempt,
                error=type(exc).__name__, duration_ms=_ms_since(started),
            )
            raise TikTokUnavailable(
                redact(f"{type(exc).__name__}: {exc}", secrets) + f" ({method} {path})", path
            ) from None
        code: int | None = None
        request_id: str | None = None
        try:
            data, request_id = parse_envelope(response, path, secrets)
            code = 0
            return data
        except TikTokError as exc:
            code, request_id = exc.code, exc.request_id
            raise
        finally:
            metrics.tiktok_call(template, method, code if code is not None else "error", time.monotonic() - started)
            log.debug(
                "tiktok.call", method=method, path=template, shop_id=shop_id, attempt=attempt,
                http_status=response.status_code, code=code, request_id=request_id,
                duration_ms=_ms_since(started),
            )


def parse_envelope(
    response: httpx.Response, path: str, secrets: tuple[str | None, ...]
) -> tuple[dict[str, Any], str | None]:
    """``(data, request_id)`` of a successful envelope, else the typed error."""
    status = response.status_code
    retry_after = _retry_after_s(response)
    try:
        envelope: Any = response.json()
    except ValueError:
        envelope = None
    if not isinstance(envelope, dict):
        snippet = redact(response.text[:200], secrets)
        raise error_from_envelope(
            BAD_RESPONSE_CODE, f"non-JSON answer (HTTP {status}): {snippet!r}", None, status, path,
            retry_after_s=retry_after,
        ) from None
    if _MAY_BE_UNSTORABLE.search(response.content):
        # Text PostgreSQL cannot store (a NUL, a lone surrogate: JSON spells them \u0000, \ud800) becomes
        # U+FFFD here, once for every service: refusing the answer would keep an order or a listing out
        # for a character nobody can see, and storing it fails on every retry. The rest stays verbatim.
        envelope = storable_json(envelope)
    code = envelope.get("code")
    raw_request_id = envelope.get("request_id") or response.headers.get("x-tt-logid")
    request_id = str(raw_request_id) if raw_request_id else None
    message = redact(str(envelope.get("message") or ""), secrets)
    if not isinstance(code, int):
        raise error_from_envelope(
            BAD_RESPONSE_CODE, f"answer without an integer code (HTTP {status}): {message}",
            request_id, status, path, retry_after_s=retry_after,
        )
    if code != 0 or status >= 400:
        if code == 0:
            code, message = BAD_RESPONSE_CODE, f"HTTP {status} with code 0: {message}"
        raise error_from_envelope(code, message, request_id, status, path, retry_after_s=retry_after)
    data = envelope.get("data")
    if data is None:
        return {}, request_id
    if not isinstance(data, dict):
        raise TikTokError(BAD_RESPONSE_CODE, "envelope data is not an object", request_id, status, path)
    return data, request_id


#: How JSON spells a NUL or a lone surrogate (never raw: a raw control character is no JSON); a cheap test
#: before walking the answer.
_MAY_BE_UNSTORABLE = re.compile(rb"\\u(?:0000|[dD][89a-fA-F])")


def _ms_since(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def _retry_after_s(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None  # HTTP-date form: ignore, our own backoff applies
