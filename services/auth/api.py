"""Admin HTTP API of the auth service (what `ttshop shops …` calls) and the internal token endpoint. Thin:
parse, call a use case, answer; a rule's refusal (`DomainError`) is answered by the shared handler of
`libs.common.web` by its kind: not found 404, conflict 409, any other 400."""

from __future__ import annotations

from typing import Any

import structlog
from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from libs.common.limits import Name
from libs.common.web import ApiError, check_internal_credential, component
from services.auth.secrets_box import SecretBoxError
from services.auth.service import AuthService

log = structlog.get_logger(__name__)
router = APIRouter()


class ConnectRequest(BaseModel):
    auth_code: Name = Field(min_length=1, description="Single-use code from TikTok's authorisation redirect.")
    tax_id: Name = Field(min_length=1)
    name: Name | None = None


def _service(request: Request) -> AuthService:
    return component(request, "auth")  # type: ignore[no-any-return]


@router.post("/shops/connect", status_code=201)
async def connect(body: ConnectRequest, request: Request) -> dict[str, Any]:
    shops = await _service(request).connect(auth_code=body.auth_code, tax_id=body.tax_id, name=body.name)
    return {"shops": [s.public() for s in shops]}


@router.get("/shops")
async def list_shops(request: Request) -> dict[str, Any]:
    return {"shops": [s.public() for s in await _service(request).list_shops()]}


@router.get("/shops/{shop}")
async def show_shop(shop: str, request: Request) -> dict[str, Any]:
    found, trail = await _service(request).get(shop)
    return {**found.public(), "audit": trail}


@router.post("/shops/{shop}/test")
async def test_shop(shop: str, request: Request) -> dict[str, Any]:
    return await _service(request).test(shop)


@router.post("/shops/{shop}/refresh")
async def refresh_shop(shop: str, request: Request) -> dict[str, Any]:
    return (await _service(request).refresh(shop, force=True)).public()


@router.patch("/shops/{shop}/settings")
async def update_settings(shop: str, patch: dict[str, Any], request: Request) -> dict[str, Any]:
    return (await _service(request).update_settings(shop, patch)).public()


@router.post("/shops/{shop}/disconnect")
async def disconnect_shop(shop: str, request: Request) -> dict[str, Any]:
    return (await _service(request).disconnect(shop)).public()


@router.post("/admin/refresh-due")
async def refresh_due(request: Request) -> dict[str, int]:
    """Run one pass of the automatic refresh now (operators, tests)."""
    return {"refreshed": await _service(request).refresh_due_shops()}


@router.post("/admin/rotate-keys")
async def rotate_keys(request: Request) -> dict[str, int]:
    """R6: re-encrypt every stored token with the first key of AUTH_ENCRYPTION_KEYS; afterwards the
    older keys can be dropped from the list."""
    try:
        return await _service(request).rotate_keys()
    except SecretBoxError as exc:
        raise ApiError(500, "undecryptable_secret", str(exc)) from None


@router.get("/internal/shops/{shop_id}/token")
async def internal_token(
    shop_id: str, request: Request,
    refused_generation: int | None = Query(default=None, ge=0, description=(
        "The token generation TikTok refused (expired early, revoked): answer with a newer token, "
        "refreshing once if nobody has yet.")),
) -> dict[str, Any]:
    """For the other services only: each presents its own INTERNAL_API_TOKEN (AUTH_INTERNAL_CREDENTIALS)."""
    caller = check_internal_credential(request.app.state.internal_credentials, request)
    log.debug("token.requested", shop_id=shop_id, caller=caller, refused_generation=refused_generation)
    access = await _service(request).access_for(shop_id, refused_generation)
    return {
        "shop_id": access.shop_id,
        "shop_cipher": access.shop_cipher,
        "access_token": access.access_token.get_secret_value(),
        "expires_at": access.expires_at,
        "token_generation": access.generation,
    }
