"""Settlements (R15): our row for a TikTok finance statement's per-order transaction. Pure."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any


def _money(value: Any) -> Decimal:
    try:
        amount = Decimal(str(value)) if value not in (None, "") else Decimal(0)
    except InvalidOperation:
        raise ValueError(f"statement amount is not a decimal: {value!r}") from None
    return amount


def transaction_row(transaction: dict[str, Any], statement: dict[str, Any], shop_id: str) -> dict[str, Any] | None:
    """Our row for an ORDER transaction of a statement (other kinds carry no order: skipped)."""
    order_id = str(transaction.get("order_id") or "")
    if not order_id or not transaction.get("id"):
        return None
    return {
        "transaction_id": str(transaction["id"]), "statement_id": str(statement["id"]), "shop_id": shop_id,
        "order_id": order_id,
        "statement_time": datetime.fromtimestamp(int(statement["statement_time"]), UTC),
        "currency": str(transaction.get("currency") or statement.get("currency") or ""),
        "revenue_amount": _money(transaction.get("revenue_amount")),
        "fee_amount": -_money(transaction.get("fee_amount")),  # TikTok reports fees negative
        "settlement_amount": _money(transaction.get("settlement_amount")),
        "payout_status": statement.get("payment_status"),
    }
