"""Admin/internal HTTP helpers shared by the services: error bodies and the internal credential."""

from __future__ import annotations

from typing import Any

import structlog
from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from libs.common.credentials import Credentials, Refusal, log_refusal
from libs.common.refusals import Conflict, Invalid, NotFound, NotStarted, Refused
from libs.common.tiktok.errors import TikTokError

log = structlog.get_logger(__name__)


class ApiError(Exception):
    """An error an operator can act on: HTTP status, a stable code and a plain message."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def error_body(code: str, message: str, **extra: object) -> dict[str, object]:
    return {"error": {"code": code, "message": message, **extra}}


#: The HTTP status of each kind of domain refusal (a service may map its own at its edge instead).
REFUSAL_STATUS: dict[type[Refused], int] = {NotFound: 404, Conflict: 409, Invalid: 422, NotStarted: 503}


def refusal_status(exc: Refused, statuses: dict[type[Refused], int] = REFUSAL_STATUS, default: int = 400) -> int:
    """The status of ``exc``'s most specific kind in ``statuses``."""
    return next((statuses[kind] for kind in type(exc).__mro__ if kind in statuses), default)


def component(request: Request, name: str) -> Any:
    """What the service built at start under ``name`` (``runtime.provide`` / ``runtime.add_worker``); a request
    that comes before it exists is answered 503 ``not_ready``."""
    return request.app.state.runtime.components.get(name)


def wake(request: Request, *names: str) -> None:
    """Wake the service's named workers (work was just queued); a worker not started yet looks on its first pass."""
    request.app.state.runtime.components.wake(*names)


def database(request: Request) -> Any:
    """The service's connection pool (an ``asyncpg.Pool``)."""
    return request.app.state.runtime.db()


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse(error_body(exc.code, exc.message), status_code=exc.status)

    @app.exception_handler(Refused)
    async def _refused(_: Request, exc: Refused) -> JSONResponse:
        return JSONResponse(error_body(exc.code, exc.message), status_code=refusal_status(exc))

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


def check_internal_credential(credentials: Credentials | None, request: Request) -> str:
    """The calling service's name; 401 for a missing or unknown credential (logged without it), 503
    when this service has no ``AUTH_INTERNAL_CREDENTIALS``."""
    if credentials is None:
        raise ApiError(503, "internal_auth_not_configured", "AUTH_INTERNAL_CREDENTIALS is not set on this service")
    caller = credentials.identify(request.headers.get("authorization"))
    if isinstance(caller, Refusal):
        log_refusal(caller, setting=credentials.setting, path=request.url.path,
                    client=request.client.host if request.client else None)
        raise ApiError(401, "unauthorized", "missing or unknown service credential (INTERNAL_API_TOKEN)")
    return caller


#: Paths with their own protection (TikTok's signature, the service credential) or none needed.
OPEN_PATH_PREFIXES = ("/healthz", "/readyz", "/webhooks/", "/internal/")
#: Prometheus' scrape path: open unless ``METRICS_REQUIRE_CREDENTIAL`` (it shows counts, never a secret).
METRICS_PATH = "/metrics"


def protect_admin_api(app: FastAPI, credentials: Credentials | None, *, open_metrics: bool = True) -> None:
    """With ``ADMIN_API_CREDENTIALS`` set, admin endpoints answer 401 unless the request presents one
    of its callers' secrets; the caller's name is bound to the request's log lines. ``/metrics`` needs
    no credential unless ``open_metrics`` is false."""
    if credentials is None:
        log.warning("admin_api.open", reason="ADMIN_API_CREDENTIALS is not set: the admin API needs no credential")
        return

    @app.middleware("http")
    async def _require_admin(request: Request, call_next):  # type: ignore[no-untyped-def]
        path = request.url.path
        if path.startswith(OPEN_PATH_PREFIXES) or (open_metrics and path == METRICS_PATH):
            return await call_next(request)
        caller = credentials.identify(request.headers.get("authorization"))
        if isinstance(caller, Refusal):
            log_refusal(caller, setting=credentials.setting, path=request.url.path,
                        client=request.client.host if request.client else None)
            return JSONResponse(
                error_body("unauthorized", "admin API needs `Authorization: Bearer <your credential>` "
                           "(the CLI sends ADMIN_API_TOKEN; ADMIN_API_CREDENTIALS lists who may call)"),
                status_code=401,
            )
        request.state.caller = caller
        with structlog.contextvars.bound_contextvars(caller=caller):
            response: Response = await call_next(request)
        return response
