"""Typed TikTok Shop API errors.

Every failure of a TikTok call ends up as a :class:`TikTokError` (or a subclass picked by
:func:`error_from_envelope`), so callers can branch on the type and on ``.transient`` instead
of on numbers. The code -> class table lives here and only here (codes: TIKTOK_API.md).

Messages never carry secrets: the client builds them from TikTok's own ``message`` (redacted
of anything it sent as a credential) and the request path, never from the URL, which holds
the query string.
"""

from __future__ import annotations

from collections.abc import Iterable

#: ``code`` of a :class:`TikTokUnavailable` (no answer: connection error, timeout).
NETWORK_ERROR_CODE = -1
#: ``code`` used when TikTok answered something that is not a usable envelope.
BAD_RESPONSE_CODE = -2


class TikTokError(Exception):
    """A TikTok Open API call failed; ``code`` is TikTok's (or one of the negative codes above)."""

    def __init__(
        self,
        code: int,
        message: str,
        request_id: str | None = None,
        http_status: int | None = None,
        path: str = "",
        *,
        retry_after_s: float | None = None,
    ) -> None:
        self.code = code
        self.message = message
        self.request_id = request_id
        self.http_status = http_status
        self.path = path
        #: Server-suggested wait (``Retry-After``), when TikTok gave one.
        self.retry_after_s = retry_after_s
        super().__init__(str(self))

    def __str__(self) -> str:
        return f"TikTok error {self.code} on {self.path}: {self.message} (request_id {self.request_id})"

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(code={self.code!r}, message={self.message!r}, "
            f"request_id={self.request_id!r}, http_status={self.http_status!r}, path={self.path!r})"
        )

    @property
    def transient(self) -> bool:
        """True when the same request may succeed later (retry with backoff)."""
        return False


class _TransientTikTokError(TikTokError):
    @property
    def transient(self) -> bool:
        return True


class TokenRefused(TikTokError):
    """TikTok refused the access token itself (expired, revoked, unknown): the calling service drops
    its cached token and asks auth for one newer than the refused one (auth refreshes it once)."""


class TokenExpired(TokenRefused):
    """105002: the access token expired (possibly before the expiry TikTok announced)."""


class AccessTokenInvalid(TokenRefused):
    """105001, or 36009004 about the token header: the access token is invalid or was revoked."""


class SignInvalid(TikTokError):
    """106001: the signature did not match (wrong app secret, or bytes changed after signing)."""


class BadCommonParameter(TikTokError):
    """36009004: app_key / timestamp window / unexpected shop_cipher (about the token: AccessTokenInvalid)."""


class ShopCipherMissing(TikTokError):
    """106013: a shop-scoped endpoint was called without ``shop_cipher``."""


class ScopeDenied(TikTokError):
    """105005: the seller did not grant the scope this endpoint needs; re-authorise the shop."""


class RefreshTokenExpired(TikTokError):
    """36004001: the refresh token is dead; the seller must authorise the app again."""


class DuplicateTrackingNumber(TikTokError):
    """21011025: the tracking number is already used (often: our own earlier, successful call)."""


class AlreadyShipped(TikTokError):
    """21011040: the package is already shipped (often: our own earlier, successful call)."""


class CategoryNotFound(TikTokError):
    """12052023: the category does not exist or is not a leaf."""


class TooManySkus(TikTokError):
    """12052050: the product has more SKUs than TikTok allows."""


class RateLimited(_TransientTikTokError):
    """36009002 / HTTP 429: over the QPS limit; back off and retry."""


class TikTokInternalError(_TransientTikTokError):
    """36009003 / HTTP 5xx: TikTok failed (or shed load); back off and retry."""


class TikTokUnavailable(_TransientTikTokError):
    """No usable answer at all: connection refused, reset, timeout (code -1)."""

    def __init__(self, message: str, path: str = "", request_id: str | None = None) -> None:
        super().__init__(NETWORK_ERROR_CODE, message, request_id, None, path)


#: TikTok ``code`` -> error class. The single place that knows the numbers.
ERRORS_BY_CODE: dict[int, type[TikTokError]] = {
    105001: AccessTokenInvalid,
    105002: TokenExpired,
    106001: SignInvalid,
    36009004: BadCommonParameter,
    106013: ShopCipherMissing,
    105005: ScopeDenied,
    36009002: RateLimited,
    36009003: TikTokInternalError,
    36004001: RefreshTokenExpired,
    21011025: DuplicateTrackingNumber,
    21011040: AlreadyShipped,
    12052023: CategoryNotFound,
    12052050: TooManySkus,
}


def error_from_envelope(
    code: int,
    message: str,
    request_id: str | None,
    http_status: int | None,
    path: str,
    *,
    retry_after_s: float | None = None,
) -> TikTokError:
    """The typed error for a failed answer.

    A known ``code`` decides the class; otherwise the HTTP status does (429 -> RateLimited,
    5xx -> TikTokInternalError, as 503 is TikTok's overload protection); otherwise a plain
    :class:`TikTokError`.
    """
    cls = ERRORS_BY_CODE.get(code)
    if cls is BadCommonParameter and _names_access_token(message, http_status):
        cls = AccessTokenInvalid
    if cls is None:
        if http_status == 429:
            cls = RateLimited
        elif http_status is not None and http_status >= 500:
            cls = TikTokInternalError
        else:
            cls = TikTokError
    return cls(code, message, request_id, http_status, path, retry_after_s=retry_after_s)


def _names_access_token(message: str, http_status: int | None) -> bool:
    """36009004 covers several common parameters; it is a token refusal when TikTok says it is about
    the access token (its message names it, or it answered HTTP 401)."""
    text = message.lower()
    return http_status == 401 or "access token" in text or "access_token" in text or "x-tts-access-token" in text


def redact(text: str, secrets: Iterable[str | None]) -> str:
    """``text`` with every non-trivial secret value replaced by ``***``."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
    return text
