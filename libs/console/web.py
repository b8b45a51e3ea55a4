"""What every console page shares: the signed-in operator, the CSRF check on actions, rendering a
template (whole page or just the live part htmx asks for) and messages after an action."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from .client import Api, ServiceError, Services
from .sessions import COOKIE, CSRF_FIELD, CSRF_HEADER, Session, SessionStore, SignInThrottle
from .settings import ConsoleSettings


@dataclass
class ConsoleState:
    settings: ConsoleSettings
    services: Services
    sessions: SessionStore
    throttle: SignInThrottle
    templates: Jinja2Templates
    extras: dict[str, Any]


class SignInRequired(Exception):
    """No live session: a page redirects to the sign-in page, an htmx request is told to go there."""


class CsrfRefused(Exception):
    """An action without the session's CSRF token, or from another origin."""


def console_state(request: Request) -> ConsoleState:
    state: ConsoleState = request.app.state.console
    return state


@dataclass
class Operator:
    """The signed-in operator of one request: their session and the admin APIs as them."""

    session: Session
    api: Api


def operator(request: Request) -> Operator:
    """FastAPI dependency of every page and action: the session, or :class:`SignInRequired`."""
    state = console_state(request)
    session = state.sessions.find(request.cookies.get(COOKIE))
    if session is None:
        raise SignInRequired
    request.state.session = session
    return Operator(session, state.services.as_operator(session.credential))


def same_origin(request: Request) -> bool:
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return origin is None
    return origin.rstrip("/") == f"{request.url.scheme}://{request.url.netloc}"


async def acting_operator(request: Request) -> Operator:
    """FastAPI dependency of every action (POST): a session, a same-origin request and its CSRF token."""
    signed_in = operator(request)
    presented = request.headers.get(CSRF_HEADER)
    if presented is None and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        presented = value if isinstance(value, str) else None
    if not same_origin(request) or not signed_in.session.csrf_ok(presented):
        raise CsrfRefused
    return signed_in


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def sign_in_redirect(request: Request) -> Response:
    target = "/signin?next=" + quote(request.url.path + (f"?{request.url.query}" if request.url.query else ""), safe="")
    if is_htmx(request):
        return Response(status_code=401, headers={"HX-Redirect": target})
    if request.method != "GET":
        return RedirectResponse("/signin", status_code=303)
    return RedirectResponse(target, status_code=303)


def flash(request: Request, kind: str, text: str) -> None:
    """A message shown at the top of the next page this operator sees (``ok`` or ``error``)."""
    session: Session | None = getattr(request.state, "session", None)
    if session is not None:
        session.flashes.append((kind, text))


def failed(request: Request, exc: ServiceError) -> None:
    flash(request, "error", f"Error: {exc.shown}")


def page(request: Request, template: str, **context: Any) -> HTMLResponse:
    """A template with what every page needs: the operator's CSRF token, messages, the refresh interval."""
    state = console_state(request)
    session: Session | None = getattr(request.state, "session", None)
    flashes = session.flashes[:] if session is not None else []
    if session is not None and not template.startswith("parts/") and "/parts/" not in template:
        session.flashes.clear()
    context = {"csrf": session.csrf if session else "", "caller": session.caller if session else None,
               "flashes": flashes, "refresh_s": state.settings.refresh_s, "path": request.url.path, **context}
    return state.templates.TemplateResponse(request, template, context)


def back(request: Request, default: str) -> RedirectResponse:
    """After an action: back to the page it was taken on (same origin only), else ``default``."""
    target = request.headers.get("hx-current-url") or request.headers.get("referer") or ""
    base = f"{request.url.scheme}://{request.url.netloc}"
    path = target[len(base):] if target.startswith(base + "/") else default
    return RedirectResponse(path or default, status_code=303)
