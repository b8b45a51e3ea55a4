"""The code -> error class table."""

from __future__ import annotations

import pytest

from libs.common.tiktok.errors import (
    AccessTokenInvalid,
    AlreadyShipped,
    BadCommonParameter,
    CategoryNotFound,
    DuplicateTrackingNumber,
    RateLimited,
    RefreshTokenExpired,
    ScopeDenied,
    ShopCipherMissing,
    SignInvalid,
    TikTokError,
    TikTokInternalError,
    TikTokUnavailable,
    TokenExpired,
    TokenRefused,
    TooManySkus,
    error_from_envelope,
)


@pytest.mark.parametrize(
    ("code", "http_status", "cls", "transient"),
    [
        (105002, 200, TokenExpired, False),
        (105001, 200, AccessTokenInvalid, False),
        (36009004, 401, AccessTokenInvalid, False),
        (106001, 200, SignInvalid, False),
        (36009004, 200, BadCommonParameter, False),
        (106013, 200, ShopCipherMissing, False),
        (105005, 200, ScopeDenied, False),
        (36009002, 429, RateLimited, True),
        (36009003, 500, TikTokInternalError, True),
        (36004001, 200, RefreshTokenExpired, False),
        (21011025, 200, DuplicateTrackingNumber, False),
        (21011040, 200, AlreadyShipped, False),
        (12052023, 200, CategoryNotFound, False),
        (12052050, 200, TooManySkus, False),
        (99999999, 429, RateLimited, True),
        (99999999, 503, TikTokInternalError, True),
        (99999999, 200, TikTokError, False),
    ],
)
def test_mapping(code: int, http_status: int, cls: type[TikTokError], transient: bool) -> None:
    err = error_from_envelope(code, "msg", "rid", http_status, "/p")
    assert type(err) is cls
    assert err.transient is transient
    assert (err.code, err.message, err.request_id, err.http_status, err.path) == (code, "msg", "rid", http_status, "/p")


def test_unavailable_is_a_transient_tiktok_error() -> None:
    err = TikTokUnavailable("ConnectError: refused", "/order/202309/orders")
    assert isinstance(err, TikTokError) and err.transient and err.code == -1
    assert str(err) == "TikTok error -1 on /order/202309/orders: ConnectError: refused (request_id None)"


@pytest.mark.parametrize(
    ("code", "message", "http_status", "refused"),
    [
        (105002, "access token expired: refresh it", 401, True),
        (105001, "access token is invalid", 200, True),
        (36009004, "invalid access token in header x-tts-access-token", 401, True),
        (36009004, "Invalid access_token", 200, True),
        (36009004, "timestamp is outside the window", 200, False),
        (36009004, "shop_cipher must not be sent to this endpoint", 200, False),
        (36004001, "refresh token expired", 200, False),
        (106001, "sign invalid", 200, False),
    ],
)
def test_token_refusals_are_told_apart_from_other_common_parameter_errors(
    code: int, message: str, http_status: int, refused: bool
) -> None:
    """Issue 8: only an answer about the token itself makes the caller drop its cached token."""
    err = error_from_envelope(code, message, "rid", http_status, "/p")
    assert isinstance(err, TokenRefused) is refused
    assert not err.transient
