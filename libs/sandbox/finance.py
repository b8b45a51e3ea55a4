"""Finance as TikTok holds it: statements with per-order statement transactions, generated from
orders. TikTok generates statements daily; here the control API creates one on demand
(``POST /sandbox/shops/{id}/statements``) for given orders or every completed order not yet
settled, optionally ``delay_s`` late: its ``statement_time`` is then in the future and it stays
invisible to the API until then, which is how late settlements look to a client.

Amounts (*sandbox choice*, kept here): revenue = the order's total, fees = 5 % platform commission
+ 3 % transaction fee (negative, as TikTok reports fees), settlement = revenue + fees.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from libs.sandbox import errors as e
from libs.sandbox.errors import SandboxError
from libs.sandbox.orders import money
from libs.sandbox.state import SandboxState

SETTLEABLE = ("DELIVERED", "COMPLETED")
COMMISSION = Decimal("0.05")
TRANSACTION_FEE = Decimal("0.03")
PAYMENT_STATUSES = ("PROCESSING", "PAID", "FAILED")


@dataclass
class Transaction:
    id: str
    order_id: str
    order_create_time: int
    currency: str
    revenue: Decimal
    commission: Decimal
    transaction_fee: Decimal

    @property
    def fees(self) -> Decimal:
        return -(self.commission + self.transaction_fee)

    @property
    def settlement(self) -> Decimal:
        return self.revenue + self.fees

    def to_wire(self) -> dict[str, Any]:
        return {
            "id": self.id, "type": "ORDER", "order_id": self.order_id, "order_create_time": self.order_create_time,
            "currency": self.currency, "revenue_amount": money(self.revenue), "fee_amount": money(self.fees),
            "settlement_amount": money(self.settlement), "shipping_cost_amount": "0.00",
            "adjustment_amount": "0.00",
            "fee_breakdown": {"platform_commission_amount": money(-self.commission),
                              "transaction_fee_amount": money(-self.transaction_fee)},
        }


@dataclass
class Statement:
    id: str
    shop_id: str
    statement_time: int
    currency: str
    payment_status: str
    transactions: list[Transaction] = field(default_factory=list)

    def to_wire(self) -> dict[str, Any]:
        revenue = sum((t.revenue for t in self.transactions), Decimal(0))
        fees = sum((t.fees for t in self.transactions), Decimal(0))
        return {
            "id": self.id, "statement_time": self.statement_time, "currency": self.currency,
            "revenue_amount": money(revenue), "fee_amount": money(fees), "settlement_amount": money(revenue + fees),
            "adjustment_amount": "0.00", "shipping_cost_amount": "0.00", "payment_status": self.payment_status,
            "payment_id": f"P{self.id}", "transaction_count": len(self.transactions),
        }


class FinanceBook:
    def __init__(self, state: SandboxState) -> None:
        self._state = state
        self.statements: dict[str, Statement] = {}

    def settled_orders(self) -> set[str]:
        return {t.order_id for s in self.statements.values() for t in s.transactions}

    def create_statement(
        self, shop_id: str, order_ids: list[str] | None, *, delay_s: float, payment_status: str
    ) -> Statement:
        if payment_status not in PAYMENT_STATUSES:
            raise SandboxError(e.PARAM_INVALID, f"payment_status must be one of {', '.join(PAYMENT_STATUSES)}", http_status=400)
        book = self._state.orders
        if order_ids:
            orders = [book.in_shop(shop_id, oid) for oid in order_ids]
        else:
            done = self.settled_orders()
            orders = [o for o in book.orders.values()
                      if o.shop_id == shop_id and o.status in SETTLEABLE and o.id not in done]
        if not orders:
            raise SandboxError(e.PARAM_INVALID, "no orders to settle: pass order_ids or complete some orders first",
                               http_status=400)
        statement = Statement(
            self._state.ids.next(), shop_id, int(self._state.clock() + delay_s), orders[0].currency, payment_status
        )
        for order in orders:
            revenue = Decimal(order.total_amount)
            statement.transactions.append(Transaction(
                self._state.ids.next(), order.id, order.create_time, order.currency, revenue,
                (revenue * COMMISSION).quantize(Decimal("0.01")), (revenue * TRANSACTION_FEE).quantize(Decimal("0.01")),
            ))
        self.statements[statement.id] = statement
        return statement

    def visible(self, shop_id: str, ge: int | None, lt: int | None) -> list[Statement]:
        now = self._state.clock()
        return [
            s for s in self.statements.values()
            if s.shop_id == shop_id and s.statement_time <= now
            and (ge is None or s.statement_time >= ge) and (lt is None or s.statement_time < lt)
        ]

    def statement(self, shop_id: str, statement_id: str) -> Statement:
        found = self.statements.get(statement_id)
        if found is None or found.shop_id != shop_id or found.statement_time > self._state.clock():
            raise SandboxError(STATEMENT_NOT_FOUND, f"statement {statement_id} not found in this shop")
        return found

    def set_payment_status(self, statement_id: str, status: str) -> Statement:
        found = self.statements.get(statement_id)
        if found is None:
            raise SandboxError(STATEMENT_NOT_FOUND, f"statement {statement_id} does not exist", http_status=404)
        if status not in PAYMENT_STATUSES:
            raise SandboxError(e.PARAM_INVALID, f"payment_status must be one of {', '.join(PAYMENT_STATUSES)}", http_status=400)
        found.payment_status = status
        return found


#: Statement unknown, not in this shop, or not generated yet: *sandbox choice*.
STATEMENT_NOT_FOUND = 29001001
