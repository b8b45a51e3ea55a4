"""Admin/internal HTTP helpers shared by the services: error bodies and the internal credential."""

from __future__ import annotations

import hmac

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import SecretStr

from libs.common.tiktok.errors import TikTokError


class ApiError(Exception):
    """An error an operator can act on: HTTP status, a stable code and a plain message."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def error_body(code: str, message: str, **extra: object) -> dict[str, object]:
    return {"error": {"code": code, "message": message, **extra}}


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse(error_body(exc.code, exc.message), status_code=exc.status)

    @app.exception_handler(TikTokError)
    async def _tiktok_error(_: Request, exc: TikTokError) -> JSONResponse:
        return JSONResponse(
            error_body(f"tiktok_{exc.code}", str(exc), tiktok_code=exc.code, request_id=exc.request_id),
            status_code=502,
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        parts = [f"{'.'.join(str(p) for p in e['loc'][1:]) or 'body'}: {e['msg']}" for e in exc.errors()[:5]]
        return JSONResponse(error_body("invalid_request", "; ".join(parts)), status_code=422)


def check_internal_credential(configured: SecretStr | None, authorization: str | None) -> None:
    """Raise 401/503 unless ``Authorization: Bearer <INTERNAL_API_TOKEN>`` matches."""
    if configured is None or not configured.get_secret_value():
        raise ApiError(503, "internal_auth_not_configured", "INTERNAL_API_TOKEN is not set on this service")
    expected = f"Bearer {configured.get_secret_value()}"
    if not authorization or not hmac.compare_digest(authorization.encode(), expected.encode()):
        raise ApiError(401, "unauthorized", "missing or wrong internal service credential")


#: Paths with their own protection (TikTok's signature, the service credential) or none needed.
OPEN_PATH_PREFIXES = ("/healthz", "/readyz", "/webhooks/", "/internal/")


def protect_admin_api(app: FastAPI, token: SecretStr | None) -> None:
    """With ``ADMIN_API_TOKEN`` set, admin endpoints answer 401 without ``Authorization: Bearer <token>``."""
    if token is None or not token.get_secret_value():
        return
    expected = f"Bearer {token.get_secret_value()}".encode()

    @app.middleware("http")
    async def _require_admin(request: Request, call_next):  # type: ignore[no-untyped-def]
        if request.url.path.startswith(OPEN_PATH_PREFIXES):
            return await call_next(request)
        given = request.headers.get("authorization", "").encode()
        if not hmac.compare_digest(given, expected):
            return JSONResponse(
                error_body("unauthorized", "admin API needs `Authorization: Bearer $ADMIN_API_TOKEN`"), status_code=401
            )
        response: Response = await call_next(request)
        return response
