"""Orders: search by shop, status, date and id with a live results table; an order's page with its lines,
recipient, payment, both statuses, notes, shipments (live), cancellations, refunds and settlement. Calls
the orders and fulfillment services' admin APIs (and auth's shops, for their names). Actions: actions.py."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from libs.cli.arguments import segment

from ..client import ServiceError
from ..web import Operator, operator, page
from . import actions, detail, views

router = APIRouter()
router.include_router(actions.router)
Signed = Annotated[Operator, Depends(operator)]
Text = Annotated[str, Query()]


async def attempt(call: Awaitable[Any]) -> tuple[Any, str | None]:
    """(the answer, None), or (None, the error as the page shows it): one failed call never sinks the page."""
    try:
        return await call, None
    except ServiceError as exc:
        return None, f"Error: {exc.shown}"


async def _results(signed: Operator, wanted: views.Search, shops: Awaitable[tuple[Any, str | None]] | None = None,
                   ) -> dict[str, Any]:
    """The results table's data; ``shops`` is auth's answer when the caller asks for it anyway (one call)."""
    (body, error), (shops_body, _) = await asyncio.gather(
        attempt(signed.api.get("orders", "/orders", **wanted.api_params())),
        shops if shops is not None else attempt(signed.api.get("auth", "/shops")))
    rows = views.order_rows(body, views.shop_names(shops_body), wanted) if body is not None else []
    return {"orders": rows, "error": error, "search": wanted, "asked": len(views.listed(body, "orders"))}


@router.get("/orders", response_class=HTMLResponse)
async def orders_page(request: Request, signed: Signed, shop: Text = "", status: Text = "",
                      from_: Annotated[str, Query(alias="from")] = "", to: Text = "", limit: Text = "",
                      id: Text = "", job: Text = "") -> Response:
    if id.strip():
        return RedirectResponse(views.order_link(id.strip()), status_code=303)
    wanted, problems = views.search(shop, status, from_, to, limit)
    shops_task = asyncio.ensure_future(attempt(signed.api.get("auth", "/shops")))
    results = await _results(signed, wanted, shops_task)
    shops, shops_error = await shops_task
    return page(request, "orders/list.html", shops=views.shop_choices(shops), shops_error=shops_error,
                problems=problems, statuses=views.STATUSES, limits=views.LIMITS,
                job=job.strip(), job_link=f"/jobs/orders/{segment(job.strip())}" if job.strip() else "",
                **results)


@router.get("/orders/parts/table", response_class=HTMLResponse)
async def orders_table(request: Request, signed: Signed, shop: Text = "", status: Text = "",
                       from_: Annotated[str, Query(alias="from")] = "", to: Text = "",
                       limit: Text = "") -> HTMLResponse:
    wanted, _ = views.search(shop, status, from_, to, limit)
    return page(request, "orders/parts/table.html", **await _results(signed, wanted))


async def _live(signed: Operator, order_id: str) -> dict[str, Any]:
    """What refreshes itself on an order's page: both statuses and the shipments."""
    (order, error), (shipments, shipments_error) = await asyncio.gather(
        attempt(signed.api.get("orders", f"/orders/{segment(order_id)}")),
        attempt(signed.api.get("fulfillment", "/shipments", order_id=order_id)))
    return {"order_id": order_id, "live_link": f"/orders/{segment(order_id)}/live",
            "order": detail.order_of(order) if isinstance(order, dict) else None, "error": error,
            "shipments": detail.shipments_of(shipments) if shipments is not None else [],
            "shipments_error": shipments_error}


@router.get("/orders/{order_id}", response_class=HTMLResponse)
async def order_page(request: Request, order_id: str, signed: Signed) -> HTMLResponse:
    path = f"/orders/{segment(order_id)}"
    live, (cancellations, cancellations_error), (refunds, refunds_error), (settlements, settlements_error) = (
        await asyncio.gather(_live(signed, order_id), attempt(signed.api.get("orders", f"{path}/cancellations")),
                             attempt(signed.api.get("orders", f"{path}/refunds")),
                             attempt(signed.api.get("orders", f"{path}/settlements"))))
    return page(request, "orders/detail.html", **live,
                cancellations=detail.cancellations_of(cancellations) if cancellations is not None else [],
                cancellations_error=cancellations_error,
                refunds=detail.refunds_of(refunds) if refunds is not None else [], refunds_error=refunds_error,
                settlements=detail.settlements_of(settlements) if settlements is not None else [],
                settlements_error=settlements_error)


@router.get("/orders/{order_id}/live", response_class=HTMLResponse)
async def order_live(request: Request, order_id: str, signed: Signed) -> HTMLResponse:
    return page(request, "orders/parts/live.html", **await _live(signed, order_id))
