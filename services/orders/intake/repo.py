"""SQL of the one ingest: orders and their lines written a page at a time, and the poll watermarks. Functions
take the connection (the use case owns the transaction). Batches go in as one recordset
(:mod:`libs.common.recordset`): one round trip per statement, whatever the page size."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import asyncpg

from libs.common.recordset import Recordset
from libs.common.watermark import WatermarkTable
from services.orders.domain import Order
from services.orders.intake.domain import Stored

#: Per shop, the update time the reconciliation poll has read up to.
POLL_MARKS = WatermarkTable("poll_watermarks", mark="update_time_ge", ran_at="last_poll_at")

# (column, SQL type) of the orders table as written from a domain Order.
_ORDERS = Recordset((
    ("order_id", "text"), ("shop_id", "text"), ("tiktok_status", "text"), ("status", "text"),
    ("shipping_status", "text"), ("fulfillment_type", "text"), ("subtype", "text"),
    ("is_on_hold", "boolean"), ("is_replacement", "boolean"), ("replaced_order_id", "text"),
    ("notes", "jsonb"), ("created_at", "timestamptz"), ("paid_at", "timestamptz"),
    ("payment_method", "text"), ("currency", "text"), ("sub_total", "numeric"),
    ("shipping_fee", "numeric"), ("tax", "numeric"), ("total", "numeric"), ("recipient", "jsonb"),
    ("tracking", "jsonb"), ("order_source", "text"), ("channel", "text"), ("update_time", "bigint"),
    ("downloaded_published", "boolean"), ("raw", "jsonb"), ("cancelled_line_item_ids", "text[]"),
    ("cancellation_flagged", "boolean"), ("buyer_message", "text"),
))
_LINES = Recordset((
    ("order_id", "text"), ("line_no", "int"), ("seller_sku", "text"), ("sku_id", "text"),
    ("product_id", "text"), ("product_name", "text"), ("quantity", "int"), ("unit_price", "numeric"),
    ("line_item_ids", "text[]"),
))

_INSERT_NEW = _ORDERS.insert("orders", " ORDER BY r.order_id ON CONFLICT (order_id) DO NOTHING RETURNING order_id")
_UPDATE = (
    "UPDATE orders o SET "
    + ", ".join(f"{c} = r.{c}" for c, _ in _ORDERS.columns if c not in ("order_id", "shop_id"))
    + f", updated_at = now() FROM {_ORDERS.source} WHERE o.order_id = r.order_id"
)
_INSERT_LINES = _LINES.insert("order_lines")


def order_row(
    order: Order, *, downloaded_published: bool, cancelled_line_item_ids: frozenset[str] = frozenset(),
    cancellation_flagged: bool = False,
) -> dict[str, Any]:
    return {
        "order_id": order.order_id, "shop_id": order.shop_id, "tiktok_status": order.tiktok_status,
        "status": order.status, "shipping_status": order.shipping_status,
        "fulfillment_type": order.fulfillment_type, "subtype": order.subtype, "is_on_hold": order.is_on_hold,
        "is_replacement": order.is_replacement, "replaced_order_id": order.replaced_order_id,
        "notes": list(order.notes), "created_at": order.created_at, "paid_at": order.paid_at,
        "payment_method": order.payment_method, "currency": order.currency, "sub_total": order.sub_total,
        "shipping_fee": order.shipping_fee, "tax": order.tax, "total": order.total,
        "recipient": order.recipient,
        "tracking": [
            {"tracking_number": p.tracking_number, "carrier": p.carrier, "package_id": p.package_id}
            for p in order.packages
        ],
        "order_source": order.order_source, "channel": order.channel, "update_time": order.update_time,
        "downloaded_published": downloaded_published, "raw": order.raw,
        "cancelled_line_item_ids": sorted(cancelled_line_item_ids), "cancellation_flagged": cancellation_flagged,
        "buyer_message": order.buyer_message,
    }


async def insert_new_orders(conn: asyncpg.Connection, rows: list[dict[str, Any]]) -> set[str]:
    """Insert the rows whose order_id is not stored yet; returns the ids this call inserted.

    A concurrent transaction inserting the same order makes this wait for it, then skip the row:
    exactly one of them sees the order as new.
    """
    if not rows:
        return set()
    return {r["order_id"] for r in await conn.fetch(_INSERT_NEW, rows)}


async def lock_stored(conn: asyncpg.Connection, order_ids: Sequence[str]) -> dict[str, Stored]:
    """Lock the stored rows (in id order, so concurrent pages cannot deadlock) and return them."""
    if not order_ids:
        return {}
    rows = await conn.fetch(
        "SELECT order_id, update_time, tiktok_status, status, shipping_status, downloaded_published,"
        " cancelled_line_item_ids, cancellation_flagged FROM orders WHERE order_id = ANY($1::text[]) ORDER BY order_id FOR UPDATE",
        list(order_ids),
    )
    return {
        r["order_id"]: Stored(
            update_time=r["update_time"], tiktok_status=r["tiktok_status"], status=r["status"],
            shipping_status=r["shipping_status"], downloaded_published=r["downloaded_published"],
            cancelled_line_item_ids=frozenset(r["cancelled_line_item_ids"]),
            cancellation_flagged=r["cancellation_flagged"],
        )
        for r in rows
    }


async def update_orders(conn: asyncpg.Connection, rows: list[dict[str, Any]]) -> None:
    if rows:
        await conn.execute(_UPDATE, rows)


async def replace_lines(conn: asyncpg.Connection, orders: Sequence[Order]) -> None:
    if not orders:
        return
    await conn.execute("DELETE FROM order_lines WHERE order_id = ANY($1::text[])", [o.order_id for o in orders])
    rows = [
        {
            "order_id": o.order_id, "line_no": n, "seller_sku": line.seller_sku, "sku_id": line.sku_id,
            "product_id": line.product_id, "product_name": line.product_name, "quantity": line.quantity,
            "unit_price": line.unit_price, "line_item_ids": list(line.line_item_ids),
        }
        for o in orders
        for n, line in enumerate(o.lines, start=1)
    ]
    await conn.execute(_INSERT_LINES, rows)



async def last_downloads(conn: asyncpg.Connection) -> list[dict[str, Any]]:
    """Per shop, the last order download that succeeded and how: a poll pass without an error, a finished range
    job, or a webhook whose orders were ingested (`ttshop status`)."""
    rows = await conn.fetch(
        """
        SELECT DISTINCT ON (shop_id) shop_id, at, via FROM (
            SELECT shop_id, last_poll_at AS at, 'poll' AS via FROM poll_watermarks
             WHERE last_poll_at IS NOT NULL AND last_error IS NULL
            UNION ALL
            SELECT shop_id, max(finished_at), 'range job' FROM download_jobs WHERE status = 'done' GROUP BY shop_id
            UNION ALL
            SELECT shop_id, max(processed_at), 'webhook' FROM webhook_inbox WHERE outcome LIKE 'ingested:%'
             GROUP BY shop_id
        ) done
        ORDER BY shop_id, at DESC
        """
    )
    return [dict(r) for r in rows]
