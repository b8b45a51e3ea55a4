"""API host, non-order endpoints: authorization, logistics and event (webhook) registration."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from libs.sandbox import errors as e
from libs.sandbox.errors import SandboxError, envelope
from libs.sandbox.logistics import DELIVERY_OPTIONS, providers_for
from libs.sandbox.security import SellerCtx, ShopCtx
from libs.sandbox.webhooks import EVENT_TYPES

router = APIRouter(tags=["api host"])


@router.get("/authorization/202309/shops")
async def authorized_shops(ctx: SellerCtx) -> JSONResponse:
    shops = [ctx.state.shops[sid].to_wire() for sid in ctx.seller.shop_ids]
    return envelope({"shops": shops})


@router.get("/logistics/202309/warehouses")
async def warehouses(ctx: ShopCtx) -> JSONResponse:
    return envelope({"warehouses": [w.to_wire(ctx.shop.region) for w in ctx.shop.warehouses]})


@router.get("/logistics/202309/warehouses/{warehouse_id}/delivery_options")
async def delivery_options(warehouse_id: str, ctx: ShopCtx) -> JSONResponse:
    if all(w.id != warehouse_id for w in ctx.shop.warehouses):
        raise SandboxError(e.LOGISTICS_NOT_FOUND, f"warehouse {warehouse_id} is not a warehouse of this shop")
    return envelope({"delivery_options": list(DELIVERY_OPTIONS.values())})


@router.get("/logistics/202309/delivery_options/{delivery_option_id}/shipping_providers")
async def shipping_providers(delivery_option_id: str, ctx: ShopCtx) -> JSONResponse:
    providers = providers_for(delivery_option_id)
    if providers is None:
        raise SandboxError(e.LOGISTICS_NOT_FOUND, f"delivery option {delivery_option_id} does not exist")
    return envelope({"shipping_providers": providers})


class WebhookBody(BaseModel):
    event_type: str
    address: str | None = None


def _check_event_type(event_type: str) -> None:
    if event_type not in EVENT_TYPES:
        raise SandboxError(
            e.PARAM_INVALID, f"event_type {event_type!r} unknown; one of {', '.join(EVENT_TYPES)}"
        )


@router.get("/event/202309/webhooks")
async def list_webhooks(ctx: ShopCtx) -> JSONResponse:
    hooks = [{"event_type": t, "address": a} for t, a in sorted(ctx.shop.webhooks.items())]
    return envelope({"webhooks": hooks, "total_count": len(hooks)})


@router.put("/event/202309/webhooks")
async def put_webhook(ctx: ShopCtx, body: Annotated[WebhookBody, Body()]) -> JSONResponse:
    _check_event_type(body.event_type)
    if not body.address or not body.address.startswith(("http://", "https://")):
        raise SandboxError(e.PARAM_INVALID, "address must be an http(s) URL")
    ctx.shop.webhooks[body.event_type] = body.address
    return envelope({})


@router.delete("/event/202309/webhooks")
async def delete_webhook(ctx: ShopCtx, body: Annotated[WebhookBody, Body()]) -> JSONResponse:
    _check_event_type(body.event_type)
    ctx.shop.webhooks.pop(body.event_type, None)
    return envelope({})
