"""Control API (``/sandbox/...``, unsigned): script a TikTok shop for tests, demos and WMS teams.
See DESIGN.md "Sandbox control API". Bad input answers HTTP 400, unknown ids 404, same envelope."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from libs.sandbox import errors as e
from libs.sandbox.errors import SandboxError, envelope
from libs.sandbox.faults import KINDS, FaultRegistry
from libs.sandbox.models import Shop
from libs.sandbox.order_wire import order_to_wire
from libs.sandbox.orders import NewLine
from libs.sandbox.security import get_state
from libs.sandbox.state import SandboxState, stable_numeric_id

router = APIRouter(prefix="/sandbox", tags=["sandbox control"])


class SellerIn(BaseModel):
    name: str | None = None
    region: str = "US"
    tax_id: str | None = None
    default_warehouse: bool = True


class OrderLineIn(BaseModel):
    seller_sku: str = Field(min_length=1)
    quantity: int = Field(ge=1, le=1000)
    unit_price: Decimal = Field(ge=0)
    product_id: str | None = None
    sku_id: str | None = None
    product_name: str | None = None

    def to_line(self) -> NewLine:
        return NewLine(
            seller_sku=self.seller_sku,
            quantity=self.quantity,
            unit_price=self.unit_price,
            sku_id=self.sku_id or stable_numeric_id("sku", self.seller_sku),
            product_id=self.product_id or stable_numeric_id("product", self.seller_sku),
            product_name=self.product_name or f"Sandbox product {self.seller_sku}",
        )


class OrderIn(BaseModel):
    lines: list[OrderLineIn] = Field(min_length=1)
    fulfillment_type: str = "FULFILLMENT_BY_SELLER"
    replacement_of: str | None = None
    on_hold: bool = False
    payment_method: str = "Credit Card"
    currency: str = "USD"
    create_time: int | None = None
    status: str | None = None
    shipping_fee: Decimal = Field(default=Decimal(0), ge=0)
    tax: Decimal = Field(default=Decimal(0), ge=0)
    #: the buyer's ship-to address, TikTok's ``recipient_address`` fields (name, phone_number, address_line1,
    #: address_line2, city, state, postal_code, region_code, full_address); those left out keep the sandbox buyer's
    recipient: dict[str, str] | None = None
    buyer_message: str = ""


class BulkOrderIn(OrderIn):
    count: int = Field(ge=1, le=100_000)
    webhook: bool = True


class StatusIn(BaseModel):
    status: str
    reason: str | None = None


class FaultIn(BaseModel):
    kind: str
    rate: float = Field(default=1.0, ge=0, le=1)
    duration_s: float | None = Field(default=None, gt=0)
    path: str | None = None
    latency_ms: int = Field(default=0, ge=0, le=60_000)
    shop_id: str | None = None
    exact: bool = False
    times: int | None = Field(default=None, ge=1)


class ShopIdIn(BaseModel):
    shop_id: str


class WebhookUrlIn(BaseModel):
    url: str


def _shop(state: SandboxState, shop_id: str) -> Shop:
    shop = state.shop(shop_id)
    if shop is None:
        raise SandboxError(
            e.PARAM_INVALID,
            f"shop {shop_id} does not exist; create one with POST /sandbox/sellers",
            http_status=404,
        )
    return shop


def _place(state: SandboxState, shop_id: str, body: OrderIn, *, notify: bool = True) -> Any:
    status = body.status or ("ON_HOLD" if body.on_hold else "AWAITING_SHIPMENT")
    try:
        return state.orders.create(
            _shop(state, shop_id).id,
            [line.to_line() for line in body.lines],
            fulfillment_type=body.fulfillment_type,
            payment_method=body.payment_method,
            currency=body.currency,
            status=status,
            replacement_of=body.replacement_of,
            create_time=body.create_time,
            shipping_fee=body.shipping_fee,
            tax=body.tax,
            notify=notify,
            recipient=body.recipient,
            buyer_message=body.buyer_message,
        )
    except SandboxError as error:
        error.http_status = max(error.http_status, 400)
        raise


@router.post("/sellers")
async def create_seller(request: Request, body: SellerIn | None = None) -> JSONResponse:
    state = get_state(request)
    body = body or SellerIn()
    seller, shop = state.create_seller(
        name=body.name, region=body.region, tax_id=body.tax_id, default_warehouse=body.default_warehouse
    )
    settings = state.settings
    return envelope(
        {
            "shop_id": shop.id,
            "shop_cipher": shop.cipher,
            "shop_name": shop.name,
            "seller_name": seller.name,
            "region": shop.region,
            "auth_code": state.issue_auth_code(seller.id),
            "app_key": settings.app_key,
            "app_secret": settings.app_secret.get_secret_value(),
            "warehouse_id": shop.warehouses[0].id,
        }
    )


@router.post("/sellers/{shop_id}/auth-codes")
async def new_auth_code(shop_id: str, request: Request) -> JSONResponse:
    state = get_state(request)
    return envelope({"auth_code": state.issue_auth_code(_shop(state, shop_id).seller_id)})


@router.post("/shops/{shop_id}/orders")
async def place_order(shop_id: str, body: OrderIn, request: Request) -> JSONResponse:
    state = get_state(request)
    order = _place(state, shop_id, body)
    return envelope(order_to_wire(order, state.orders.packages, with_tracking=True))


@router.post("/shops/{shop_id}/orders/bulk")
async def place_orders(shop_id: str, body: BulkOrderIn, request: Request) -> JSONResponse:
    state = get_state(request)
    ids = [_place(state, shop_id, body, notify=body.webhook).id for _ in range(body.count)]
    return envelope({"order_ids": ids})


@router.post("/orders/{order_id}/status")
async def move_order(order_id: str, body: StatusIn, request: Request) -> JSONResponse:
    state = get_state(request)
    order = state.orders.set_status(order_id, body.status, body.reason)
    return envelope(order_to_wire(order, state.orders.packages, with_tracking=True))


@router.get("/orders/{order_id}")
async def get_order(order_id: str, request: Request) -> JSONResponse:
    state = get_state(request)
    order = state.orders.get(order_id)
    if order is None:
        raise SandboxError(e.ORDER_NOT_FOUND, f"order {order_id} does not exist", http_status=404)
    wire = order_to_wire(order, state.orders.packages, with_tracking=True)
    wire["shop_id"] = order.shop_id
    wire["package_details"] = [vars(state.orders.packages[p]) for p in order.package_ids]
    return envelope(wire)


@router.post("/faults")
async def add_fault(body: FaultIn, request: Request) -> JSONResponse:
    state = get_state(request)
    if body.kind not in KINDS:
        raise SandboxError(e.PARAM_INVALID, f"kind must be one of {', '.join(KINDS)}", http_status=400)
    if body.kind == "revoke_tokens":
        if body.shop_id is not None:
            _shop(state, body.shop_id)
        return envelope({"revoked": state.revoke_tokens(body.shop_id)})
    registry: FaultRegistry = request.app.state.faults
    fault = registry.add(
        kind=body.kind,
        rate=body.rate,
        path=body.path,
        shop_id=body.shop_id,
        latency_ms=body.latency_ms,
        duration_s=body.duration_s,
        exact=body.exact,
        times=body.times,
    )
    return envelope(fault.to_wire())


@router.get("/faults")
async def list_faults(request: Request) -> JSONResponse:
    registry: FaultRegistry = request.app.state.faults
    return envelope({"faults": [f.to_wire() for f in registry.active()]})


@router.delete("/faults")
async def clear_faults(request: Request) -> JSONResponse:
    registry: FaultRegistry = request.app.state.faults
    registry.clear()
    return envelope({})


@router.post("/tokens/expire")
async def expire_tokens(body: ShopIdIn, request: Request) -> JSONResponse:
    state = get_state(request)
    _shop(state, body.shop_id)
    return envelope({"expired": state.expire_access_tokens(body.shop_id)})


@router.get("/tokens/issued")
async def issued_secrets(request: Request) -> JSONResponse:
    """Every access token, refresh token and auth code the sandbox has handed out (the values), so a
    test can prove none of them ever appears in a log line or an event. Test control only."""
    state = get_state(request)
    return envelope({
        "access_tokens": [t.value for t in state.tokens.values() if t.kind == "access"],
        "refresh_tokens": [t.value for t in state.tokens.values() if t.kind == "refresh"],
        "auth_codes": list(state.auth_codes),
    })


@router.get("/requests")
async def served_requests(request: Request, path: str | None = None, shop_id: str | None = None) -> JSONResponse:
    """Authenticated API calls served per request path; ``path`` filters by prefix, ``shop_id`` to one shop's;
    ``rate_limited``: the calls refused with 429 by the rate limit, per path (not served, so not counted)."""
    state = get_state(request)
    if shop_id is None:
        counts = state.request_counts
    else:
        counts = {p: n for (caller, p), n in state.shop_request_counts.items() if caller == shop_id}
    refused: dict[str, int] = {}
    for (caller, p), n in state.rate_limited_counts.items():
        if shop_id is None or caller == shop_id:
            refused[p] = refused.get(p, 0) + n

    def selected(found: dict[str, int]) -> dict[str, int]:
        return {p: n for p, n in sorted(found.items()) if path is None or p.startswith(path)}

    served = selected(counts)
    return envelope({"counts": served, "total": sum(served.values()), "rate_limited": selected(refused)})


@router.post("/webhook")
async def set_webhook_url(body: WebhookUrlIn, request: Request) -> JSONResponse:
    """Process-wide webhook address (shops' own PUT /event/202309/webhooks registrations win)."""
    state = get_state(request)
    if body.url and not body.url.startswith(("http://", "https://")):
        raise SandboxError(
            e.PARAM_INVALID, "url must be an http(s) URL, or empty to turn webhooks off", http_status=400
        )
    state.webhook_url = body.url
    return envelope({"url": body.url})
