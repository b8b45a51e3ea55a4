"""Verification of API-host requests, in TikTok's order: app_key, timestamp window, sign,
access token, shop_cipher, rate limit. Failing checks raise :class:`SandboxError`
(HTTP policy in ``errors.py``). Secrets and signatures never appear in messages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from libs.common.tiktok.signing import verify
from libs.sandbox import errors as e
from libs.sandbox.errors import SandboxError
from libs.sandbox.models import Seller, Shop
from libs.sandbox.ratelimit import SlidingWindowLimiter
from libs.sandbox.state import SandboxState

ACCESS_TOKEN_HEADER = "x-tts-access-token"


@dataclass(frozen=True)
class ApiContext:
    state: SandboxState
    seller: Seller
    shop: Shop | None


@dataclass(frozen=True)
class ShopContext:
    state: SandboxState
    seller: Seller
    shop: Shop


def get_state(request: Request) -> SandboxState:
    state: SandboxState = request.app.state.sandbox
    return state


async def _verify(request: Request, *, shop_scoped: bool) -> ApiContext:
    state = get_state(request)
    settings = state.settings
    params = dict(request.query_params)
    if params.get("app_key") != settings.app_key:
        raise SandboxError(e.BAD_COMMON_PARAM, "app_key is missing or not this app's key")
    _check_timestamp(params.get("timestamp"), state)
    if not params.get("sign"):
        raise SandboxError(e.BAD_COMMON_PARAM, "sign is missing")
    body = await request.body()
    multipart = request.headers.get("content-type", "").startswith("multipart/form-data")
    if not verify(
        settings.app_secret.get_secret_value(),
        request.url.path,
        params,
        body,
        params["sign"],
        multipart=multipart,
    ):
        raise SandboxError(
            e.SIGN_INVALID,
            "sign invalid: check the app secret, the path, every query parameter and the exact body bytes",
        )
    seller = _seller_of_token(request.headers.get(ACCESS_TOKEN_HEADER), state)
    shop = _shop_of(params.get("shop_cipher"), seller, shop_scoped=shop_scoped, state=state)
    route = request.scope.get("route")
    template = getattr(route, "path", request.url.path)
    limiter: SlidingWindowLimiter = request.app.state.limiter
    caller = shop.id if shop else f"seller:{seller.id}"
    if not limiter.allow((settings.app_key, caller, template)):
        state.count_rate_limited(request.url.path, caller)
        raise SandboxError(
            e.TOO_MANY_REQUESTS,
            f"too many requests: over {limiter.qps} per second on "
            f"{template} for this shop; back off and retry",
            http_status=429,
        )
    state.count_request(request.url.path, caller)
    return ApiContext(state, seller, shop)


def _check_timestamp(raw: str | None, state: SandboxState) -> None:
    try:
        ts = int(raw or "")
    except ValueError:
        raise SandboxError(e.BAD_COMMON_PARAM, "timestamp is missing or not Unix seconds") from None
    now = state.clock()
    settings = state.settings
    if not now - settings.timestamp_past_window_s <= ts <= now + settings.timestamp_future_window_s:
        raise SandboxError(
            e.BAD_COMMON_PARAM,
            f"timestamp is outside the window: {ts} vs server time "
            f"{int(now)} (allowed -{settings.timestamp_past_window_s}s/"
            f"+{settings.timestamp_future_window_s}s)",
        )


def _seller_of_token(value: str | None, state: SandboxState) -> Seller:
    token = state.tokens.get(value or "")
    if token is None or token.kind != "access" or token.revoked:
        raise SandboxError(
            e.BAD_COMMON_PARAM, f"invalid access token in header {ACCESS_TOKEN_HEADER}", http_status=401
        )
    if token.expires_at <= state.clock():
        raise SandboxError(e.TOKEN_EXPIRED, "access token expired: refresh it", http_status=401)
    return state.sellers[token.seller_id]


def _shop_of(cipher: str | None, seller: Seller, *, shop_scoped: bool, state: SandboxState) -> Shop | None:
    if not shop_scoped:
        if cipher is not None:
            raise SandboxError(e.BAD_COMMON_PARAM, "shop_cipher must not be sent to this endpoint")
        return None
    if not cipher:
        raise SandboxError(e.SHOP_CIPHER_MISSING, "shop_cipher is required on this endpoint")
    shop = state.shops_by_cipher.get(cipher)
    if shop is None or shop.seller_id != seller.id:
        raise SandboxError(e.BAD_COMMON_PARAM, "shop_cipher does not name a shop this access token may use")
    return shop


async def seller_context(request: Request) -> ApiContext:
    """For ``/authorization/*`` and ``/seller/*``: shop_cipher is forbidden."""
    return await _verify(request, shop_scoped=False)


async def shop_context(request: Request) -> ShopContext:
    ctx = await _verify(request, shop_scoped=True)
    assert ctx.shop is not None
    return ShopContext(ctx.state, ctx.seller, ctx.shop)


SellerCtx = Annotated[ApiContext, Depends(seller_context)]
ShopCtx = Annotated[ShopContext, Depends(shop_context)]
