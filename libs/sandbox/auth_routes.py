"""Auth host: ``GET /api/v2/token/get`` and ``/api/v2/token/refresh`` (unsigned, credentials in the query)."""

from __future__ import annotations

import hmac

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from libs.sandbox import errors as e
from libs.sandbox.errors import SandboxError, envelope
from libs.sandbox.security import get_state
from libs.sandbox.state import SandboxState

router = APIRouter(prefix="/api/v2/token", tags=["auth host"])


def _check_app(state: SandboxState, app_key: str | None, app_secret: str | None) -> None:
    settings = state.settings
    if app_key != settings.app_key:
        raise SandboxError(e.BAD_COMMON_PARAM, "app_key is missing or unknown")
    if not hmac.compare_digest((app_secret or "").encode(), settings.app_secret.get_secret_value().encode()):
        raise SandboxError(e.BAD_COMMON_PARAM, "app_secret does not match the app_key")


def _check_grant(given: str | None, expected: str) -> None:
    if given != expected:
        raise SandboxError(e.BAD_COMMON_PARAM, f"grant_type must be {expected}, got {given!r}")


@router.get("/get")
async def get_token(
    request: Request,
    app_key: str | None = None,
    app_secret: str | None = None,
    auth_code: str | None = None,
    grant_type: str | None = None,
) -> JSONResponse:
    state = get_state(request)
    _check_app(state, app_key, app_secret)
    _check_grant(grant_type, "authorized_code")
    state.count_request(request.url.path)
    return envelope(state.exchange_auth_code(auth_code or ""))


@router.get("/refresh")
async def refresh_token(
    request: Request,
    app_key: str | None = None,
    app_secret: str | None = None,
    refresh_token: str | None = None,
    grant_type: str | None = None,
) -> JSONResponse:
    state = get_state(request)
    _check_app(state, app_key, app_secret)
    _check_grant(grant_type, "refresh_token")
    state.count_request(request.url.path)  # tests count refreshes (e.g. two auth replicas refresh once)
    return envelope(state.refresh(refresh_token or ""))
