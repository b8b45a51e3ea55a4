"""`ttshop orders …`: download orders (manual range jobs) and look at downloaded orders."""

from __future__ import annotations

from typing import Any

import typer

from . import render
from .arguments import segment
from .client import console, emit_json, reported, state
from .jobs import job_line, wait_for_job
from .validation import date_from, date_range, date_to

app = typer.Typer(help="Download and inspect orders (orders service).", no_args_is_help=True)


def _parse_from(value: str | None) -> str | None:
    date_from(value)
    return value


def _parse_to(value: str | None) -> str | None:
    date_to(value)
    return value


@app.command("download")
def download(
    ctx: typer.Context,
    shop: str = typer.Argument(..., help="Shop id."),
    from_: str | None = typer.Option(
        None, "--from", metavar="D", callback=_parse_from, help="Start: YYYY-MM-DD or ISO datetime (UTC if no zone)."
    ),
    to: str | None = typer.Option(
        None, "--to", metavar="D", callback=_parse_to, help="End: YYYY-MM-DD (whole day) or ISO datetime."
    ),
    wait: bool = typer.Option(True, "--wait/--no-wait", help="Follow the job until it finishes."),
    timeout_s: float = typer.Option(600.0, "--timeout", help="Seconds to follow the job."),
) -> None:
    """Start a download job for a date range (without a range the service picks its default window)."""
    st = state(ctx)
    start, end = date_range(date_from(from_), date_to(to))
    body: dict[str, Any] = {"shop": shop}
    if start is not None and end is not None:
        body["from"], body["to"] = start.isoformat(), end.isoformat()
    client = st.client("orders")
    with reported():
        job = client.post("/jobs/download", body)
        job_id = str(render.pick(job, "id", "job_id"))
        if not st.json_output:
            console.print(f"Started download job [bold]{job_id}[/] for shop {shop}")
        if wait:
            job = wait_for_job(client, job_id, timeout_s=timeout_s)
    emit_json(job) if st.json_output else console.print(job_line(job))


@app.command("list")
def list_orders(
    ctx: typer.Context,
    shop: str | None = typer.Option(None, "--shop", help="Only this shop."),
    status: str | None = typer.Option(None, "--status", help="Only this TikTok order status."),
    channel: str | None = typer.Option(None, "--channel", help='e.g. "TikTok Shop".'),
    limit: int = typer.Option(50, "--limit", min=1, max=1000, help="At most this many orders."),
) -> None:
    """Downloaded orders, newest first."""
    st = state(ctx)
    with reported():
        body = st.client("orders").get("/orders", shop=shop, status=status, channel=channel, limit=limit)
    if st.json_output:
        emit_json(body)
        return
    orders = render.items(body, "orders")
    render.table(
        f"{len(orders)} order(s)",
        ("order id", "shop", "status", "shipping", "channel", "type", "created", "total"),
        (
            (
                render.pick(o, "order_id", "id"), render.pick(o, "shop_id", "shop"), render.pick(o, "status"),
                render.pick(o, "shipping_status"), render.pick(o, "channel"), render.pick(o, "fulfillment_type"), render.pick(o, "created_at"),
                f"{render.text(_total(o))} {render.text(render.pick(o, 'currency'))}".strip(),
            )
            for o in orders
        ),
    )


def _total(order: dict[str, Any]) -> Any:
    totals = order.get("totals")
    if isinstance(totals, dict):
        return render.pick(totals, "total", "total_amount", "grand_total")
    return render.pick(order, "total_amount", "total")


@app.command("show")
def show(ctx: typer.Context, order: str = typer.Argument(..., help="Order id.")) -> None:
    """One order: lines with quantities and line item ids, totals, notes, recipient."""
    st = state(ctx)
    with reported():
        body = st.client("orders").get(f"/orders/{segment(order)}")
    if st.json_output:
        emit_json(body)
        return
    nested = ("lines", "totals", "recipient", "notes")
    render.key_values(f"order {order}", body, skip=nested)
    lines = render.items(body.get("lines"))
    render.table(
        "lines",
        ("seller sku", "sku id", "product id", "qty", "unit price", "line item ids"),
        (
            (
                render.pick(x, "seller_sku"), render.pick(x, "sku_id"), render.pick(x, "product_id"),
                render.pick(x, "quantity"), render.pick(x, "unit_price"), render.pick(x, "line_item_ids"),
            )
            for x in lines
        ),
    )
    for section in ("totals", "recipient"):
        if isinstance(body.get(section), dict):
            render.key_values(section, body[section])
    notes = body.get("notes") or []
    console.print("notes: " + ("; ".join(render.text(n) for n in notes) if notes else "(none)"))
