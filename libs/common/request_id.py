"""Every admin HTTP request has an id: the caller's ``X-Request-ID`` when it sends a usable one, else a new
one. It is echoed in the response's ``X-Request-ID`` and bound to the request's log lines, with the service
and the shop and order the request names (``/shops/{id}/…``, ``?shop=``, ``/orders/{id}``)."""

from __future__ import annotations

import re
import uuid
from urllib.parse import parse_qs

from fastapi import FastAPI
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from libs.common import metrics
from libs.common.logging import log_context

HEADER = "x-request-id"
#: What a caller's id (or an id in the path) may be: a caller's text goes into every log line of the request.
_USABLE = re.compile(r"[A-Za-z0-9._:-]{1,128}")
_SHOP = re.compile(r"^(?:/internal)?/shops/([^/]+)")
_ORDER = re.compile(r"^/orders/([^/]+)")


def _caller_id(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == HEADER.encode():
            text = value.decode("latin-1")
            return text if _USABLE.fullmatch(text) else None
    return None


def _named_ids(scope: Scope) -> dict[str, str]:
    path: str = scope.get("path", "")
    found: dict[str, str] = {}
    if shop := _SHOP.match(path):
        found["shop_id"] = shop.group(1)
    elif shops := parse_qs(scope.get("query_string", b"").decode("latin-1")).get("shop"):
        found["shop_id"] = shops[0]
    if order := _ORDER.match(path):
        found["order_id"] = order.group(1)
    return {key: value for key, value in found.items() if _USABLE.fullmatch(value)}


class RequestIdMiddleware:
    """Pure ASGI (no extra task per request), so what a route logs carries the request's fields."""

    def __init__(self, app: ASGIApp, service: str) -> None:
        self.app, self.service = app, service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _caller_id(scope) or uuid.uuid4().hex
        metrics.bind_service(self.service)  # requests run in the server's tasks, not in the lifespan's

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)[HEADER] = request_id
            await send(message)

        with log_context(request_id=request_id, **_named_ids(scope)):
            await self.app(scope, receive, send_with_id)


def install_request_id(app: FastAPI, service: str) -> None:
    """Add last, so it wraps the other middleware (a refused credential's log line has the request's id)."""
    app.add_middleware(RequestIdMiddleware, service=service)
