"""The console app in process, the services' admin APIs faked by an httpx.MockTransport.

``fake = FakeServices()``; ``fake.answer("auth", "GET", "/shops", {"shops": [...]})`` (a body, or
``(status, body)``, or a function of the request); every call the console made is in ``fake.calls``.
``async with signed_in(fake) as client:`` gives an httpx client signed in through the sign-in form, with
``client.csrf`` (the session's CSRF token) for actions.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from libs.console.app import create_app
from libs.console.settings import ConsoleSettings

CREDENTIAL = "operator-credential-0123456789abcdef"
BASE = "http://console.test"
URLS = {name: f"http://{name}.test" for name in ("auth", "catalog", "orders", "fulfillment")}


@dataclass
class Call:
    service: str
    method: str
    path: str
    params: dict[str, str]
    body: Any
    authorization: str | None


@dataclass
class FakeServices:
    routes: dict[tuple[str, str, str], Any] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.answer("auth", "GET", "/whoami", lambda request: (
            (200, {"caller": "ops", "service": "auth"})
            if request.headers.get("authorization") == f"Bearer {CREDENTIAL}"
            else (401, {"error": {"code": "unauthorized", "message": "admin API needs a credential"}})))

    def answer(self, service: str, method: str, path: str, reply: Any) -> None:
        self.routes[(service, method, path)] = reply

    def made(self, service: str, method: str, path: str) -> list[Call]:
        return [c for c in self.calls if (c.service, c.method, c.path) == (service, method, path)]

    def handler(self, request: httpx.Request) -> httpx.Response:
        service = request.url.host.removesuffix(".test")
        body = json.loads(request.content) if request.content else None
        self.calls.append(Call(service, request.method, request.url.path, dict(request.url.params), body,
                               request.headers.get("authorization")))
        reply = self.routes.get((service, request.method, request.url.path))
        if reply is None:
            return httpx.Response(404, json={"error": {"code": "not_found", "message": f"no {request.url.path}"}})
        if callable(reply):
            reply = reply(request)
        status, payload = reply if isinstance(reply, tuple) else (200, reply)
        if isinstance(payload, bytes):
            return httpx.Response(status, content=payload)
        return httpx.Response(status, json=payload)


def settings(**overrides: Any) -> ConsoleSettings:
    return ConsoleSettings(**{**{f"{name}_url": url for name, url in URLS.items()}, **overrides})


class ConsoleClient(httpx.AsyncClient):
    csrf: str = ""


@asynccontextmanager
async def console_client(fake: FakeServices, **overrides: Any) -> AsyncIterator[ConsoleClient]:
    """A client of the console app (not signed in), services faked by ``fake``."""
    app = create_app(settings(**overrides), transport=httpx.MockTransport(fake.handler), tasks=[])
    async with app.router.lifespan_context(app), ConsoleClient(
            transport=httpx.ASGITransport(app=app), base_url=BASE, headers={"origin": BASE}) as client:
        client.app = app  # type: ignore[attr-defined]
        yield client


@asynccontextmanager
async def signed_in(fake: FakeServices, **overrides: Any) -> AsyncIterator[ConsoleClient]:
    async with console_client(fake, **overrides) as client:
        answer = await client.post("/signin", data={"credential": CREDENTIAL, "next": "/shops"})
        assert answer.status_code == 303, answer.text
        store = client.app.state.console.sessions  # type: ignore[attr-defined]
        [session] = list(store._sessions.values())
        client.csrf = session.csrf
        yield client


@pytest.fixture
def fake() -> FakeServices:
    return FakeServices()


Reply = Callable[[httpx.Request], Any]
