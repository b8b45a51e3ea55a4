"""`ttshop shipments …`: shipments the fulfillment service knows about."""

from __future__ import annotations

import typer

from . import render
from .client import emit_json, reported, state

app = typer.Typer(help="Shipments and tracking uploads (fulfillment service).", no_args_is_help=True)


@app.command("list")
def list_shipments(
    ctx: typer.Context, order: str = typer.Option(..., "--order", help="Order id.")
) -> None:
    """Shipments of one order, with their tracking upload state."""
    st = state(ctx)
    with reported():
        body = st.client("fulfillment").get("/shipments", order_id=order)
    if st.json_output:
        emit_json(body)
        return
    shipments = render.items(body, "shipments")
    render.table(
        f"{len(shipments)} shipment(s) of order {order}",
        ("shipment id", "source", "carrier", "tracking number", "status", "tiktok status", "package id",
         "shipped at", "error"),
        (
            (
                render.pick(s, "shipment_id", "id"), render.pick(s, "source"), render.pick(s, "carrier"),
                render.pick(s, "tracking_number"), render.pick(s, "upload_status", "status"),
                render.pick(s, "tiktok_side", "tiktok_status"), render.pick(s, "tiktok_package_id", "package_id"),
                render.pick(s, "shipped_at"), render.pick(s, "error", "last_error"),
            )
            for s in shipments
        ),
    )
