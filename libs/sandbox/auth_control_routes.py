"""Control API for the seller's authorisation (``/sandbox/shops/{shop_id}/…``): the seller removes the
app (SELLER_DEAUTHORIZATION, type 6) or the authorisation nears its end (UPCOMING_AUTHORIZATION_EXPIRATION,
type 7). Webhooks go to the address the shop registered for that event type (``PUT /event/202309/webhooks``),
else to the process-wide address, exactly like order webhooks."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from libs.sandbox import errors as e
from libs.sandbox.errors import SandboxError, envelope
from libs.sandbox.models import Shop
from libs.sandbox.security import get_state
from libs.sandbox.state import SandboxState
from libs.sandbox.webhooks import WebhookPoster

router = APIRouter(prefix="/sandbox/shops", tags=["sandbox control"])


class ExpiringIn(BaseModel):
    #: seconds from now until the seller's authorisation ends (TikTok warns about a week ahead)
    expires_in_s: int = Field(default=3 * 86_400, gt=0)


def _shop(state: SandboxState, shop_id: str) -> Shop:
    shop = state.shop(shop_id)
    if shop is None:
        raise SandboxError(e.PARAM_INVALID, f"shop {shop_id} does not exist", http_status=404)
    return shop


def _poster(request: Request) -> WebhookPoster:
    return request.app.state.webhooks  # type: ignore[no-any-return]


@router.post("/{shop_id}/deauthorize")
async def deauthorize(shop_id: str, request: Request) -> JSONResponse:
    """The seller removed the app: every token of the seller stops working at once, then type 6 is sent."""
    state = get_state(request)
    shop = _shop(state, shop_id)
    revoked = state.revoke_tokens(shop.id)
    address = _poster(request).address_for(shop.id, "SELLER_DEAUTHORIZATION")
    _poster(request).publish(
        shop.id, "SELLER_DEAUTHORIZATION", {"message": "the seller deauthorized the app", "shop_id": shop.id}
    )
    return envelope({"revoked": revoked, "webhook_address": address or None})


@router.post("/{shop_id}/authorization-expiring")
async def authorization_expiring(shop_id: str, request: Request, body: ExpiringIn | None = None) -> JSONResponse:
    """The authorisation ends in ``expires_in_s``: refresh tokens (present and future) expire then, and
    type 7 carries the expiry time (``data.expiration_time``, Unix seconds)."""
    state = get_state(request)
    shop = _shop(state, shop_id)
    body = body or ExpiringIn()
    expires_at = state.clock() + body.expires_in_s
    state.authorization_expires[shop.seller_id] = expires_at
    for token in state.tokens.values():
        if token.seller_id == shop.seller_id and token.kind == "refresh" and token.expires_at > expires_at:
            token.expires_at = expires_at
    address = _poster(request).address_for(shop.id, "UPCOMING_AUTHORIZATION_EXPIRATION")
    _poster(request).publish(
        shop.id,
        "UPCOMING_AUTHORIZATION_EXPIRATION",
        {"message": "the seller's authorization of the app expires soon", "expiration_time": int(expires_at)},
    )
    return envelope({"expiration_time": int(expires_at), "webhook_address": address or None})
