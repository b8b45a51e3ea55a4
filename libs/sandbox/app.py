"""Composition root: ``create_app(settings) -> FastAPI`` serving the API host, the auth host and
the control API from one process."""

from __future__ import annotations

import random
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from libs.sandbox import (
    api_routes,
    auth_control_routes,
    auth_routes,
    control_routes,
    listing_routes,
    media_routes,
    order_routes,
    orders_ext,
    product_review,
    product_routes,
    product_write_routes,
    review_routes,
    taxonomy_routes,
    tracking_routes,
)
from libs.sandbox import errors as e
from libs.sandbox.errors import SandboxError, envelope, error_response
from libs.sandbox.faults import FaultRegistry, fault_middleware
from libs.sandbox.ratelimit import SlidingWindowLimiter
from libs.sandbox.settings import SandboxSettings
from libs.sandbox.state import SandboxState
from libs.sandbox.webhooks import WebhookPoster


def create_app(
    settings: SandboxSettings | None = None,
    *,
    webhook_transport: httpx.AsyncBaseTransport | None = None,
    clock: Callable[[], float] = time.time,
    rng: random.Random | None = None,
) -> FastAPI:
    """``webhook_transport`` lets tests capture webhooks (e.g. ``httpx.MockTransport``);
    ``clock`` and ``rng`` make time and fault probabilities controllable."""
    settings = settings or SandboxSettings()
    state = SandboxState(settings, clock=clock)
    poster = WebhookPoster(state, webhook_transport)
    state.add_order_listener(poster.order_changed)

    @asynccontextmanager
    async def lifespan(running: FastAPI) -> AsyncIterator[None]:
        await poster.start()
        await running.state.auto_review.start()
        try:
            yield
        finally:
            await running.state.auto_review.aclose()
            await poster.aclose()

    app = FastAPI(title="TikTok Shop sandbox", version="202309", lifespan=lifespan)
    app.state.sandbox = state
    app.state.webhooks = poster
    app.state.faults = FaultRegistry(clock, rng)
    app.state.limiter = SlidingWindowLimiter(settings.rate_limit_qps, clock)
    app.middleware("http")(fault_middleware)
    orders_ext.install(app, state, poster)
    product_routes.install(app, state)  # product listings: search/get/inventory/prices + control calls
    taxonomy_routes.install(app, state)  # categories, attributes, rules, brands + category permission control
    media_routes.install(app, state)  # image and file uploads (multipart)
    listing_routes.install(app, state)  # products/listing_check
    review_routes.install(app, state)  # control: review outcome, suspension, daily listing limit (webhook type 5)
    product_write_routes.install(app, state)  # products create / PUT / partial_edit (after product_routes)
    product_review.install(app)  # reviews ending after review_delay_s (middleware + tick; webhook type 5)
    _add_error_handlers(app)
    for module in (auth_routes, api_routes, order_routes, control_routes):
        app.include_router(module.router)
    app.include_router(auth_control_routes.router)
    app.include_router(tracking_routes.router)

    @app.get("/healthz", tags=["sandbox control"])
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(SandboxError)
    async def sandbox_error(_: Request, exc: SandboxError) -> JSONResponse:
        return error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = "; ".join(f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors())
        status = 400 if request.url.path.startswith("/sandbox") else 200
        return envelope(None, code=e.PARAM_INVALID, message=f"invalid parameters: {problems}", status=status)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        message = f"{request.method} {request.url.path}: {exc.detail}"
        return envelope(None, code=e.BAD_COMMON_PARAM, message=message, status=exc.status_code)
