"""Domain refusals are answered at the edge by their kind, with their code and message (use cases raise
no HTTP errors)."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from libs.common.refusals import Conflict, Invalid, NotFound, Refused
from libs.common.web import install_error_handlers, refusal_status
from services.auth.domain import DomainError, ShopNotFound, ShopUnusable, TaxIdLimitReached


def test_each_kind_has_its_status_and_a_service_kind_keeps_its_own() -> None:
    assert [refusal_status(k("c", "m")) for k in (NotFound, Conflict, Invalid, Refused)] == [404, 409, 422, 400]
    assert [refusal_status(k("c", "m")) for k in (ShopNotFound, TaxIdLimitReached, ShopUnusable, DomainError)] == [
        404, 409, 409, 400]


async def test_the_shared_handler_answers_a_refusal_with_its_code_and_message() -> None:
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/jobs/{job_id}")
    async def job(job_id: str) -> None:
        raise NotFound("job_not_found", f"no download job {job_id}")

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://svc") as http:
        answer = await http.get("/jobs/j1")
    assert answer.status_code == 404
    assert answer.json() == {"error": {"code": "job_not_found", "message": "no download job j1"}}
