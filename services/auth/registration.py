"""Registering the auth service's webhook address with TikTok for the shop-authorisation events (R3)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import structlog

from libs.common.tiktok.errors import TikTokError
from services.auth import repo, tiktok

if TYPE_CHECKING:
    from services.auth.service import AuthService

log = structlog.get_logger(__name__)

#: The events the auth service itself receives; order events stay with the orders service's address.
AUTH_WEBHOOK_EVENTS = ("SELLER_DEAUTHORIZATION", "UPCOMING_AUTHORIZATION_EXPIRATION")


async def register_webhooks(svc: AuthService, shop_id: str) -> list[str]:
    """Best effort: a failure is audited and logged but does not undo the connect (the refresh loop
    still notices a revoked shop; reconnecting registers again). Returns the event types registered."""
    address = svc.settings.webhook_address()
    if address is None:
        return []
    registered: list[str] = []
    error: str | None = None
    for event_type in AUTH_WEBHOOK_EVENTS:
        try:
            await tiktok.put_webhook(svc.api, shop_id=shop_id, event_type=event_type, address=address)
        except TikTokError as exc:
            error = str(exc)
            log.warning("webhook registration failed", shop_id=shop_id, event_type=event_type, error=error)
            break
        registered.append(event_type)
    async with svc.pool.acquire() as conn:
        await repo.audit(conn, shop_id=shop_id, action="register_webhooks", outcome="failed" if error else "ok",
                         address=address, event_types=registered, **({"error": error} if error else {}))
    return registered
