"""SQL for settlements (R15): statement transactions, their application to orders, the import
watermark per shop. Functions take the connection; the use case owns the transaction."""

from __future__ import annotations

from typing import Any

import asyncpg

from libs.common.recordset import Recordset
from libs.common.watermark import WatermarkTable

#: Per shop, the statement time the settlements import has read up to.
STATEMENT_MARKS = WatermarkTable("statement_watermarks", mark="statement_time_ge", ran_at="last_import_at")

_TRANSACTIONS = Recordset.of(
    "transaction_id text, statement_id text, shop_id text, order_id text, statement_time timestamptz,"
    " currency text, revenue_amount numeric, fee_amount numeric, settlement_amount numeric, payout_status text"
)


async def upsert_transactions(conn: asyncpg.Connection, rows: list[dict[str, Any]]) -> None:
    """Store transactions; one seen again only refreshes its payout status (amounts are final)."""
    if rows:
        await conn.execute(
            _TRANSACTIONS.insert(
                "settlements",
                " ON CONFLICT (transaction_id) DO UPDATE SET payout_status = EXCLUDED.payout_status, updated_at = now()"
                " WHERE settlements.payout_status IS DISTINCT FROM EXCLUDED.payout_status",
            ),
            rows,
        )


async def claim_pending(conn: asyncpg.Connection, order_ids: list[str]) -> list[asyncpg.Record]:
    """Mark the pending transactions of these orders applied, if the order is stored; returns them
    with the order's status. Locks the rows, so two transactions never apply the same one."""
    if not order_ids:
        return []
    return list(await conn.fetch(
        "WITH due AS (SELECT s.transaction_id FROM settlements s JOIN orders o ON o.order_id = s.order_id"
        "   WHERE s.applied_at IS NULL AND s.order_id = ANY($1::text[]) FOR UPDATE OF s SKIP LOCKED)"
        " UPDATE settlements s SET applied_at = now(), updated_at = now() FROM due, orders o"
        " WHERE s.transaction_id = due.transaction_id AND o.order_id = s.order_id"
        " RETURNING s.transaction_id, s.statement_id, s.shop_id, s.order_id, s.statement_time, s.currency,"
        " s.revenue_amount, s.fee_amount, s.settlement_amount, s.payout_status, o.status, o.tiktok_status",
        order_ids,
    ))


async def refresh_orders(conn: asyncpg.Connection, order_ids: list[str]) -> None:
    """Fees, settlement amount and payout status of the orders from their applied transactions."""
    if order_ids:
        await conn.execute(
            "UPDATE orders o SET settlement_amount = t.settlement, settlement_fees = t.fees,"
            " payout_status = t.payout, settled_at = t.settled_at, updated_at = now()"
            " FROM (SELECT order_id, sum(settlement_amount) AS settlement, sum(fee_amount) AS fees,"
            "   (array_agg(payout_status ORDER BY statement_time DESC))[1] AS payout,"
            "   max(statement_time) AS settled_at FROM settlements"
            "   WHERE applied_at IS NOT NULL AND order_id = ANY($1::text[]) GROUP BY order_id) t"
            " WHERE o.order_id = t.order_id",
            order_ids,
        )


async def settlements_of(conn: asyncpg.Connection, order_id: str) -> list[asyncpg.Record]:
    return list(await conn.fetch(
        f"SELECT {_TRANSACTIONS.names()}, applied_at, imported_at FROM settlements WHERE order_id = $1 ORDER BY statement_time",
        order_id,
    ))
