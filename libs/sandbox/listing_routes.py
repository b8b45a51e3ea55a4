"""Listing pre-flight of the API host: ``POST /product/202309/products/listing_check`` (shop-scoped,
signed) runs every create-body check of ``listing_rules.py`` and creates nothing.
Wired by :func:`install` from :func:`libs.sandbox.app.create_app`.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, FastAPI
from fastapi.responses import JSONResponse

from libs.sandbox.errors import envelope
from libs.sandbox.listing_rules import run_checks
from libs.sandbox.security import ShopCtx
from libs.sandbox.state import SandboxState

router = APIRouter(tags=["api host"])


def install(app: FastAPI, state: SandboxState) -> None:
    app.include_router(router)


@router.post("/product/202309/products/listing_check")
async def listing_check(ctx: ShopCtx, body: Annotated[dict[str, Any], Body()]) -> JSONResponse:
    """The create-product body → ``{check_result: PASS|FAILED, fail_reasons[{code, message}],
    warnings[{message}]}``; every problem is listed, not only the first."""
    check = run_checks(body, ctx.shop, ctx.state)
    return envelope({
        "check_result": "FAILED" if check.failures else "PASS",
        "fail_reasons": [f.to_wire() for f in check.failures],
        "warnings": [{"message": w} for w in check.warnings],
    })
