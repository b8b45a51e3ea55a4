"""The operator's web console: server-rendered pages (Jinja2) with live parts (htmx), a client of the
services' admin APIs like the CLI. It never imports a service nor reads their schemas."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from . import formatting
from .client import Services
from .sessions import SessionStore, SignInThrottle
from .settings import ConsoleSettings
from .signin import pages as signin_pages
from .web import ConsoleState, CsrfRefused, SignInRequired, sign_in_redirect

HERE = Path(__file__).parent
#: Only our own scripts, styles and images; no frames, no inline script or style (htmx is served from /static).
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                           "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
Router = Any
#: A feature's background loop (e.g. the sync page's lag sampler), run while the console runs.
Task = Callable[[ConsoleState], Coroutine[Any, Any, None]]


def _templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    formatting.install(templates.env)
    return templates


def create_app(settings: ConsoleSettings, *, transport: httpx.AsyncBaseTransport | None = None,
               routers: list[Router] | None = None, tasks: list[Task] | None = None) -> FastAPI:
    """The console; ``routers`` and ``tasks`` default to every feature's (tests may pass fewer)."""
    services = Services(settings.service_urls(), timeout_s=settings.api_timeout_s, transport=transport)
    state = ConsoleState(
        settings=settings, services=services,
        sessions=SessionStore(idle_s=settings.session_idle_s, max_s=settings.session_max_s),
        throttle=SignInThrottle(settings.sign_in_attempts_per_minute), templates=_templates(), extras={},
    )
    background = list(tasks if tasks is not None else feature_tasks())

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        running = [asyncio.create_task(task(state), name=getattr(task, "__qualname__", "console task"))
                   for task in background]
        try:
            yield
        finally:
            for task in running:
                task.cancel()
            await asyncio.gather(*running, return_exceptions=True)
            await services.close()

    app = FastAPI(title="ttshop console", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    app.state.console = state
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    @app.exception_handler(SignInRequired)
    async def _signed_out(request: Request, _: SignInRequired) -> Response:
        return sign_in_redirect(request)

    @app.exception_handler(CsrfRefused)
    async def _csrf(request: Request, _: CsrfRefused) -> Response:
        return HTMLResponse("This action was refused: it did not come from a console page of this sign-in "
                            "(missing or wrong CSRF token, or another origin). Reload the page and try again.",
                            status_code=403)

    @app.middleware("http")
    async def _headers(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        response = await call_next(request)
        response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "same-origin"
        if not request.url.path.startswith("/static/") and "cache-control" not in response.headers:
            response.headers["Cache-Control"] = "no-store"  # a response saying its own (an image) keeps it
        return response

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> JSONResponse:
        return JSONResponse({"status": "ok"})

    @app.get("/readyz", include_in_schema=False)
    async def readyz() -> JSONResponse:
        return JSONResponse({"status": "ready", "sessions": len(console_state_of(app).sessions)})

    @app.get("/favicon.ico", include_in_schema=False)
    async def favicon() -> Response:
        return Response(status_code=204)

    @app.get("/", include_in_schema=False)
    async def home() -> RedirectResponse:
        return RedirectResponse("/shops", status_code=303)

    app.include_router(signin_pages.router)
    for router in routers if routers is not None else feature_routers():
        app.include_router(router)
    return app


def console_state_of(app: FastAPI) -> ConsoleState:
    state: ConsoleState = app.state.console
    return state


def feature_routers() -> list[Router]:
    """Every feature's pages, in the navigation bar's order."""
    from .dead_letters import pages as dead_letters
    from .jobs import pages as jobs
    from .listings import pages as listings
    from .orders import pages as orders
    from .shops import pages as shops
    from .sync import pages as sync

    return [shops.router, orders.router, listings.router, sync.router, jobs.router, dead_letters.router]


def feature_tasks() -> list[Task]:
    """Every feature's background loop."""
    from .sync import sampler

    return [sampler.sample]

