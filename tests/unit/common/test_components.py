"""Components: what a service builds at start, found one way; before it exists a request gets 503 not_ready."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI, Request

from libs.common.components import Components
from libs.common.refusals import NotStarted
from libs.common.web import component, install_error_handlers


class Worker:
    def __init__(self) -> None:
        self.woken = 0

    def wake(self) -> None:
        self.woken += 1


def test_get_before_put_refuses_as_not_started_and_after_put_returns_the_component():
    parts = Components("catalog")
    with pytest.raises(NotStarted) as refused:
        parts.get("poster")
    assert refused.value.code == "not_ready" and "catalog service is still starting" in refused.value.message
    poster = object()
    parts.put("poster", poster)
    assert parts.get("poster") is poster
    parts.clear()
    with pytest.raises(NotStarted):
        parts.get("poster")


def test_wake_wakes_the_named_workers_that_exist_and_skips_the_rest():
    parts = Components("fulfillment")
    uploader, query = Worker(), Worker()
    parts.put("uploader", uploader)
    parts.put("query", query)
    parts.wake("uploader", "not-built-yet")
    assert (uploader.woken, query.woken) == (1, 0)


async def test_a_router_reaching_a_component_before_start_answers_503_not_ready():
    class Runtime:
        components = Components("orders")

    app = FastAPI()
    app.state.runtime = Runtime()
    install_error_handlers(app)

    @app.get("/thing")
    async def thing(request: Request) -> dict[str, str]:
        return {"name": component(request, "thing")}

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://console") as client:
        early = await client.get("/thing")
        assert early.status_code == 503 and early.json()["error"]["code"] == "not_ready"
        Runtime.components.put("thing", "ready")
        assert (await client.get("/thing")).json() == {"name": "ready"}
