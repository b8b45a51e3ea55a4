"""Sync (R40): per shop the inventory and price lag, changes waiting, calls per minute against TikTok's limit,
the last success and recent failures, from the catalog's ``GET /sync/status``; a live part refreshes it, and a
chart draws each shop's lag over the last hour as this console sampled it (see sampler.py)."""

from __future__ import annotations

import asyncio
import time
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from ..client import ServiceError
from ..web import Operator, console_state, operator, page
from . import history as lag
from . import views
from .sampler import lag_history

router = APIRouter()
Signed = Annotated[Operator, Depends(operator)]


async def _answer(signed: Operator, service: str, path: str) -> tuple[Any, str | None]:
    try:
        return await signed.api.get(service, path), None
    except ServiceError as exc:
        return None, f"Error: {exc.shown}"


async def _context(request: Request, signed: Operator) -> dict[str, Any]:
    (status, status_error), (shops, shops_error) = await asyncio.gather(
        _answer(signed, "catalog", "/sync/status"), _answer(signed, "auth", "/shops"))
    state = console_state(request)
    history = lag_history(state)
    now = time.time()
    if status_error is None and isinstance(status, dict) and history.due(now, state.settings.sync_sample_s):
        history.record(now, [r for r in status.get("shops", []) if isinstance(r, dict)])
    syncs = views.shop_syncs(status, shops)
    charts = {s.shop_id: lag.shop_chart(history, s.shop_id, [*views.KINDS, *(k.kind for k in s.kinds)], now)
              for s in syncs}
    return {"syncs": syncs, "charts": charts, "status_error": status_error,
            "shops_error": f"Shop names: {shops_error}" if shops_error else None, "history": history,
            "sample_s": state.settings.sync_sample_s}


@router.get("/sync", response_class=HTMLResponse)
async def sync_page(request: Request, signed: Signed) -> HTMLResponse:
    return page(request, "sync/page.html", **await _context(request, signed))


@router.get("/sync/status", response_class=HTMLResponse)
async def sync_part(request: Request, signed: Signed) -> HTMLResponse:
    return page(request, "sync/parts/status.html", **await _context(request, signed))
