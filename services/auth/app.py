"""Composition root of the auth service: runtime (db, broker, relay), the admin and webhook routes, the
TikTok clients, the use cases and the token-refresh worker."""

from __future__ import annotations

from fastapi import FastAPI

from libs.common import metrics
from libs.common.credentials import Credentials
from libs.common.db import load_migrations
from libs.common.retention import Kept
from libs.common.runtime import ServiceRuntime, create_app
from libs.common.tiktok.auth_client import TikTokAuthClient
from libs.common.tiktok.client import TikTokClient
from libs.common.tiktok.ratelimit import RateLimiter
from libs.common.worker import Every
from services.auth import repo
from services.auth.api import router
from services.auth.secrets_box import SecretBox
from services.auth.service import AuthService
from services.auth.settings import AuthSettings
from services.auth.tiktok import LocalTokenProvider
from services.auth.webhooks.api import router as webhook_router


def build_app(settings: AuthSettings | None = None) -> FastAPI:
    settings = settings or AuthSettings()
    box = SecretBox(settings.encryption_keys)  # fail fast on a missing/invalid key
    runtime = ServiceRuntime(settings=settings, migrations=load_migrations("services.auth.migrations", prefix="service"))
    # TikTok re-sends a notification for 12 hours at most: the ones acted on are forgotten after the retention.
    runtime.keep_for_repeats(Kept("webhook_notifications", "received_at"))
    app = create_app(runtime, title="ttshop auth")
    app.include_router(router)
    app.include_router(webhook_router)
    app.state.internal_credentials = Credentials.parse(settings.internal_credentials, setting="AUTH_INTERNAL_CREDENTIALS")
    app.state.auth_settings = settings

    def auth_service(rt: ServiceRuntime) -> AuthService:
        assert rt.http is not None
        # The service's own TikTok calls (test settings) take its tokens straight from the use case, not over HTTP.
        tokens = LocalTokenProvider(lambda shop_id, refused: rt.components.get("auth").access_for(shop_id, refused))
        api = TikTokClient(
            http=rt.http, base_url=settings.tiktok_api_base_url, app_key=settings.tiktok_app_key,
            app_secret=settings.tiktok_app_secret, tokens=tokens, limiter=RateLimiter(settings.tiktok_qps_per_endpoint),
        )
        auth_client = TikTokAuthClient(rt.http, settings.tiktok_auth_base_url, settings.tiktok_app_key,
                                       settings.tiktok_app_secret)
        return AuthService(pool=rt.db(), box=box, auth_client=auth_client, api=api, settings=settings,
                           source=rt.source, wake_relay=rt.wake_relay)

    runtime.provide("auth", auth_service)
    runtime.collect(metrics.TOKEN_EXPIRY, repo.token_expiry_s)
    runtime.add_worker("token-refresh", lambda rt: Every(rt.components.get("auth").refresh_due_shops,
                                                         interval_s=settings.refresh_check_interval_s))
    return app
