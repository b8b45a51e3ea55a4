"""TikTok's authorisation webhooks (R3), the use cases: registering the auth service's address for them when a
shop connects, and what it does when TikTok says the seller's authorisation changed: SELLER_DEAUTHORIZATION
(type 6) and UPCOMING_AUTHORIZATION_EXPIRATION (type 7)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import asyncpg
import structlog

from libs.common.tiktok.errors import TikTokError
from services.auth import repo, tiktok
from services.auth.domain import DomainError, Shop, ShopNotFound, expiry_warning

if TYPE_CHECKING:
    from services.auth.service import AuthService

log = structlog.get_logger(__name__)

DEAUTHORIZED_REASON = "seller deauthorized the app on TikTok"
SELLER_DEAUTHORIZATION = 6
UPCOMING_AUTHORIZATION_EXPIRATION = 7
#: The outcome of a notification TikTok sent again: already acted on, nothing done.
DUPLICATE = "duplicate"


async def _locked(conn: asyncpg.Connection, svc: AuthService, shop_id: str) -> Shop | None:
    """The shop with exactly this TikTok id (never by name: the id comes from TikTok), row-locked."""
    try:
        shop = await repo.find(conn, svc.box, ref=shop_id, for_update=True)
    except ShopNotFound:
        return None
    return shop if shop.shop_id == shop_id else None


async def seller_deauthorized(svc: AuthService, shop_id: str, *, notification_id: str) -> str:
    """The seller removed the app: its tokens are dead, so the shop needs re-authorisation at once."""
    async with svc.pool.acquire() as conn, conn.transaction():
        if not await repo.first_delivery(conn, notification_id=notification_id, type_=SELLER_DEAUTHORIZATION,
                                         shop_id=shop_id):
            return DUPLICATE
        shop = await _locked(conn, svc, shop_id)
        if shop is None:
            log.warning("deauthorization for an unknown shop", shop_id=shop_id)
            return "unknown_shop"
        if shop.status == "disconnected" or shop.status_reason == DEAUTHORIZED_REASON:
            await repo.audit(conn, shop_id=shop_id, action="deauthorized", outcome="ignored", status=shop.status,
                             notification_id=notification_id)
            return "ignored"
        await svc.mark_needs_reauthorization(conn, shop, DEAUTHORIZED_REASON, action="deauthorized",
                                             notification_id=notification_id)
    svc._woke()
    return "needs_reauthorization"


def _expiration(data: dict[str, Any]) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(data["expiration_time"]), UTC)
    except (KeyError, TypeError, ValueError, OverflowError):
        return None


async def authorization_expiring(svc: AuthService, shop_id: str, data: dict[str, Any], *,
                                 notification_id: str) -> str:
    """Audit, refresh now, and warn while the shop still works if its authorisation ends soon.
    The status stays ``active`` until a refresh actually fails. A re-sent notice does none of it again."""
    ends = _expiration(data)
    async with svc.pool.acquire() as conn, conn.transaction():
        if not await repo.first_delivery(conn, notification_id=notification_id,
                                         type_=UPCOMING_AUTHORIZATION_EXPIRATION, shop_id=shop_id):
            return DUPLICATE
        shop = await _locked(conn, svc, shop_id)
        if shop is None:
            log.warning("authorization expiry notice for an unknown shop", shop_id=shop_id)
            return "unknown_shop"
        await repo.audit(conn, shop_id=shop_id, action="authorization_expiring", outcome="received",
                         expiration_time=ends.isoformat() if ends else None, notification_id=notification_id)
        if shop.status != "active":
            return "ignored"
    try:
        await svc.refresh(shop_id, force=True)
    except DomainError:
        return "needs_reauthorization"  # the refresh failed for good; the shop is marked and announced
    except TikTokError as exc:
        log.warning("refresh after expiry notice failed", shop_id=shop_id, error=str(exc))
    async with svc.pool.acquire() as conn, conn.transaction():
        shop = await _locked(conn, svc, shop_id)
        if shop is None or shop.status != "active":
            return "ignored"
        candidates = [t for t in (shop.refresh_token_expires_at, ends) if t is not None]
        warning = expiry_warning(min(candidates) if candidates else None, now=datetime.now(UTC),
                                 window_s=svc.settings.authorization_warning_s)
        if warning != shop.warning:
            shop.warning = warning
            await repo.save(conn, svc.box, shop)
            await repo.audit(conn, shop_id=shop_id, action="warning", outcome="set" if warning else "cleared",
                             warning=warning)
    return "warned" if warning else "refreshed"


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
