"""The TikTok client of a service other than auth: one per process, its tokens from the auth service.

Built once the runtime has started (it needs the runtime's HTTP client) and before the consumers
start, so that the token provider hears ``shops.changed``: a re-authorised or refreshed shop's cached
token is dropped at once, in every service, without a restart.
"""

from __future__ import annotations

from libs.common.runtime import ServiceRuntime
from libs.common.tiktok.client import TikTokClient
from libs.common.tiktok.ratelimit import RateLimiter
from libs.common.tiktok.tokens import AuthServiceTokenProvider, TokenProvider


def service_tiktok_client(runtime: ServiceRuntime, *, tokens: TokenProvider | None = None) -> TikTokClient:
    """Call from an ``on_start`` hook. ``tokens`` replaces the auth-service provider (tests)."""
    if runtime.http is None:
        raise RuntimeError("the runtime has not started: no HTTP client yet")
    s = runtime.settings
    provider = tokens or AuthServiceTokenProvider(
        http=runtime.http, auth_service_url=s.auth_service_url, internal_api_token=s.internal_api_token
    )
    observe = getattr(provider, "observe", None)
    if callable(observe):
        runtime.observe_shops(observe)
    return TikTokClient(
        http=runtime.http,
        base_url=s.tiktok_api_base_url,
        app_key=s.tiktok_app_key,
        app_secret=s.tiktok_app_secret,
        tokens=provider,
        limiter=RateLimiter(s.tiktok_qps_per_endpoint),
    )
