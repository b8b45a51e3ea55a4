"""Sign-in and sign-out. The operator signs in with an admin credential (one of ``ADMIN_API_CREDENTIALS``,
e.g. ``ADMIN_API_TOKEN`` of `.ttshop/dev.env`); the auth service says whose it is (``GET /whoami``)."""

from __future__ import annotations

from typing import Annotated

import structlog
from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ..client import ServiceError, decoded
from ..sessions import COOKIE
from ..web import Operator, acting_operator, console_state, page, same_origin

router = APIRouter()
log = structlog.get_logger(__name__)

WRONG = "That is not an admin credential of this system (ADMIN_API_CREDENTIALS names who may sign in)."
OPEN = ("The admin API is open (ADMIN_API_CREDENTIALS is not set on the auth service), so no credential can be "
        "checked: the console signs no one in until it is set.")


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a path of this console only (never another site)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/shops"
    return target


@router.get("/signin", response_class=HTMLResponse)
async def sign_in_page(request: Request, next: str | None = None) -> HTMLResponse:
    return page(request, "signin.html", next=safe_next(next), error=None)


async def _caller(request: Request, credential: str) -> tuple[str | None, str | None]:
    """(caller, None) for a credential the auth service knows; (None, why not) otherwise."""
    services = console_state(request).services
    try:
        answer = decoded("auth", await services.send(credential, "auth", "GET", "/whoami"))
    except ServiceError as exc:
        return None, WRONG if exc.status == 401 else f"Error: {exc.shown}"
    caller = answer.get("caller") if isinstance(answer, dict) else None
    return (str(caller), None) if caller else (None, OPEN)


@router.post("/signin", response_class=HTMLResponse)
async def sign_in(request: Request, credential: Annotated[str, Form()] = "",
                  next: Annotated[str, Form()] = "/shops") -> Response:
    state = console_state(request)
    client = request.client.host if request.client else "unknown"
    target = safe_next(next)
    if not same_origin(request):
        return page(request, "signin.html", next=target, error="Sign in from this console's own page.")
    wait_s = state.throttle.wait_s(client)
    if wait_s > 0:
        response = page(request, "signin.html", next=target,
                        error=f"Too many failed sign-ins: try again in {wait_s:.0f} s.")
        response.status_code = 429
        return response
    caller, error = await _caller(request, credential.strip()) if credential.strip() else (None, WRONG)
    if caller is None:
        state.throttle.failed(client)
        log.info("console.sign_in_refused", client=client)
        response = page(request, "signin.html", next=target, error=error)
        response.status_code = 401 if error in (WRONG, OPEN) else 503
        return response
    state.throttle.succeeded(client)
    session_id, _ = state.sessions.open(credential.strip(), caller)
    log.info("console.signed_in", caller=caller, client=client)
    redirect = RedirectResponse(target, status_code=303)
    redirect.set_cookie(COOKIE, session_id, httponly=True, samesite="strict", secure=state.settings.cookie_secure,
                        path="/", max_age=int(state.settings.session_max_s))
    return redirect


@router.post("/signout")
async def sign_out(request: Request, signed_in: Annotated[Operator, Depends(acting_operator)]) -> Response:
    console_state(request).sessions.close(request.cookies.get(COOKIE))
    log.info("console.signed_out", caller=signed_in.session.caller)
    response = RedirectResponse("/signin", status_code=303)
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict")
    return response
