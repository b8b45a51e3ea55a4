"""`ttshop orders ship ORDER --carrier C --tracking T [--lines SKU:QTY,…]`: manual tracking (R21),
served by the fulfillment service (``POST /orders/{order_id}/ship``)."""

from __future__ import annotations

from typing import Any

import typer

from . import render
from .arguments import segment
from .client import CliError, console, emit_json, reported, state


def parse_lines(value: str | None) -> list[dict[str, Any]] | None:
    """``SKU:QTY,SKU:QTY`` -> ``[{seller_sku, quantity}]``; a bare ``SKU`` means one unit."""
    if value is None or not value.strip():
        return None
    lines: list[dict[str, Any]] = []
    for part in value.split(","):
        part = part.strip()
        if not part:
            continue
        sku, sep, qty = part.rpartition(":") if ":" in part else (part, "", "1")
        sku = sku.strip() if sep else part
        try:
            quantity = int(qty)
        except ValueError:
            raise typer.BadParameter(f"{part!r}: quantity must be a whole number (SKU:QTY)") from None
        if not sku or quantity < 1:
            raise typer.BadParameter(f"{part!r}: expected SKU:QTY with QTY >= 1")
        lines.append({"seller_sku": sku, "quantity": quantity})
    return lines or None


def ship(
    ctx: typer.Context,
    order: str = typer.Argument(..., help="TikTok order id."),
    carrier: str = typer.Option(..., "--carrier", help="Carrier name (e.g. UPS) or TikTok shipping_provider_id."),
    tracking: str = typer.Option(..., "--tracking", help="Carrier tracking number."),
    lines: str | None = typer.Option(
        None, "--lines", metavar="SKU:QTY,…", help="Only these units (default: everything not shipped yet)."
    ),
    items: str | None = typer.Option(
        None, "--line-items", metavar="ID,…", help="Only these TikTok line item ids (instead of --lines)."
    ),
) -> None:
    """Ship an order by hand: upload the tracking to TikTok and mark the order Shipped and Completed."""
    st = state(ctx)
    body: dict[str, Any] = {"carrier": carrier, "tracking_number": tracking}
    parsed = parse_lines(lines)
    if parsed is not None and items:
        raise typer.BadParameter("give --lines or --line-items, not both")
    if parsed is not None:
        body["lines"] = parsed
    if items:
        body["line_item_ids"] = [i.strip() for i in items.split(",") if i.strip()]
    with reported():
        shipment = st.client("fulfillment").post(f"/orders/{segment(order)}/ship", body)
        if not isinstance(shipment, dict):
            raise CliError("fulfillment service sent an unexpected answer")
    if st.json_output:
        emit_json(shipment)
        return
    ids = render.text(render.pick(shipment, "line_item_ids"))
    console.print(
        f"Shipment [bold]{render.pick(shipment, 'shipment_id')}[/] of order {order}: "
        f"{render.pick(shipment, 'carrier')} {render.pick(shipment, 'tracking_number')} "
        f"({render.pick(shipment, 'upload_status')}) for line items {ids}"
    )
    console.print(f"Follow the upload with `ttshop shipments list --order {order}`.")


def register(orders_app: typer.Typer) -> None:
    """Add `ship` to the `orders` group (the group itself lives in orders.py)."""
    orders_app.command("ship")(ship)
