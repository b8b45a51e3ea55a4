"""No page or action of the console works without signing in (issue 15): every route the app has, with
made-up path parameters, answers a redirect to the sign-in page (or 401 for htmx) and calls no service."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.routing import APIRoute

from libs.console.app import create_app
from tests.unit.console.conftest import FakeServices, console_client, settings

#: What a visitor may reach before signing in.
OPEN = {"/signin", "/healthz", "/readyz", "/favicon.ico", "/"}


def _walk(routes: list[Any]) -> list[APIRoute]:
    """Every route, through included routers (FastAPI keeps them as included-router entries; no prefixes here)."""
    found: list[APIRoute] = []
    for route in routes:
        if isinstance(route, APIRoute):
            found.append(route)
        elif hasattr(route, "original_router"):
            found += _walk(route.original_router.routes)
        elif hasattr(route, "routes") and not hasattr(route, "app"):
            found += _walk(route.routes)
    return found


def _routes() -> list[tuple[str, str]]:
    app = create_app(settings(), tasks=[])
    return sorted({(method, route.path) for route in _walk(list(app.routes)) if route.path not in OPEN
                   for method in route.methods or ()})


ROUTES = _routes()


def test_the_console_has_its_pages_and_actions() -> None:
    paths = {path for _, path in ROUTES}
    for expected in ("/shops", "/orders", "/listings", "/sync", "/jobs", "/dead-letters", "/media/{sha256}",
                     "/signout", "/shops/{shop}/switch", "/orders/{order_id}/ship"):
        assert expected in paths, expected
    assert sum(method == "POST" for method, _ in ROUTES) >= 10


@pytest.mark.parametrize(("method", "path"), ROUTES, ids=[f"{m} {p}" for m, p in ROUTES])
async def test_without_a_session_nothing_is_shown_and_nothing_is_called(method: str, path: str) -> None:
    fake = FakeServices()
    concrete = re.sub(r"\{[^}]+\}", "a" * 64, path)  # 64 hex-ish characters: a valid media key too
    async with console_client(fake) as client:
        answer = await client.request(method, concrete, data={"csrf": "x"} if method == "POST" else None)
        htmx = await client.request(method, concrete, headers={"hx-request": "true"})
    assert answer.status_code == 303 and answer.headers["location"].startswith("/signin"), answer.text[:200]
    assert htmx.status_code == 401 and htmx.headers["hx-redirect"].startswith("/signin")
    assert fake.calls == []
