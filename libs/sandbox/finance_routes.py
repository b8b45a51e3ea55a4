"""Finance on the API host (``/finance/202309/statements`` and their transactions) and the control
calls that generate statements (``POST /sandbox/shops/{id}/statements``) and pay them out."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from libs.sandbox import errors as e
from libs.sandbox.errors import SandboxError, envelope
from libs.sandbox.finance import FinanceBook
from libs.sandbox.pagination import paginate
from libs.sandbox.security import ShopCtx, get_state

router = APIRouter(tags=["api host"])
control = APIRouter(prefix="/sandbox", tags=["sandbox control"])


def book(request: Request) -> FinanceBook:
    found: FinanceBook = request.app.state.finance
    return found


@router.get("/finance/202309/statements")
async def statements(
    ctx: ShopCtx, request: Request, page_size: int | None = None, page_token: str | None = None,
    sort_field: str = "statement_time", sort_order: str = "ASC", statement_time_ge: int | None = None,
    statement_time_lt: int | None = None,
) -> JSONResponse:
    if sort_field != "statement_time":
        raise SandboxError(e.PARAM_INVALID, "sort_field must be statement_time")
    found = book(request).visible(ctx.shop.id, statement_time_ge, statement_time_lt)
    page, next_token, total = paginate(
        found, lambda s: (s.statement_time, int(s.id)), page_size=page_size, page_token=page_token,
        filters={"ge": statement_time_ge, "lt": statement_time_lt, "order": sort_order},
        descending=sort_order == "DESC",
    )
    return envelope({"statements": [s.to_wire() for s in page], "next_page_token": next_token, "total_count": total})


@router.get("/finance/202309/statements/{statement_id}/statement_transactions")
async def statement_transactions(
    statement_id: str, ctx: ShopCtx, request: Request, page_size: int | None = None, page_token: str | None = None,
) -> JSONResponse:
    statement = book(request).statement(ctx.shop.id, statement_id)
    page, next_token, total = paginate(
        statement.transactions, lambda t: (t.order_create_time, int(t.id)), page_size=page_size,
        page_token=page_token, filters={"statement": statement_id},
    )
    return envelope({
        "statement_id": statement.id, "statement_time": statement.statement_time,
        "transactions": [t.to_wire() for t in page], "next_page_token": next_token, "total_count": total,
    })


class StatementIn(BaseModel):
    order_ids: list[str] = Field(default_factory=list)
    delay_s: float = Field(default=0, ge=0, le=86_400 * 30)
    payment_status: str = "PROCESSING"


class PaymentStatusIn(BaseModel):
    payment_status: str = "PAID"


@control.post("/shops/{shop_id}/statements")
async def create_statement(shop_id: str, body: StatementIn, request: Request) -> JSONResponse:
    if get_state(request).shop(shop_id) is None:
        raise SandboxError(e.PARAM_INVALID, f"shop {shop_id} does not exist", http_status=404)
    statement = book(request).create_statement(
        shop_id, body.order_ids or None, delay_s=body.delay_s, payment_status=body.payment_status
    )
    return envelope({**statement.to_wire(), "order_ids": [t.order_id for t in statement.transactions]})


@control.post("/statements/{statement_id}/payment")
async def set_payment(statement_id: str, body: PaymentStatusIn, request: Request) -> JSONResponse:
    return envelope(book(request).set_payment_status(statement_id, body.payment_status).to_wire())
