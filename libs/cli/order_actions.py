"""`ttshop orders cancel|refund …`: after-sales actions sent to TikTok through the orders service
(R16, R17). Registered on the `orders` command group by :func:`register`."""

from __future__ import annotations

from typing import Any

import typer

from . import render
from .arguments import segment
from .client import emit_json, reported, state


def _skus(value: str | None) -> list[str] | None:
    if value is None:
        return None
    skus = [s.strip() for s in value.split(",") if s.strip()]
    if not skus:
        raise typer.BadParameter("give at least one seller SKU, e.g. --lines SKU-1,SKU-2")
    return skus


def _after_sale(ctx: typer.Context, action: str, order: str, lines: str | None, reason: str, *, title: str) -> None:
    """POST /orders/{order}/{action} on the orders service with the reason and optional SKUs."""
    st = state(ctx)
    body: dict[str, Any] = {"reason": reason}
    if (skus := _skus(lines)) is not None:
        body["lines"] = skus
    with reported():
        answer = st.client("orders").post(f"/orders/{segment(order)}/{action}", body)
    emit_json(answer) if st.json_output else render.key_values(title, answer)


def cancel(
    ctx: typer.Context,
    order: str = typer.Argument(..., help="Order id."),
    lines: str | None = typer.Option(None, "--lines", metavar="SKU,SKU", help="Only these seller SKUs."),
    reason: str = typer.Option(..., "--reason", help="Cancellation reason sent to TikTok."),
) -> None:
    """Cancel an order (or some lines) on TikTok: only while TikTok has it UNPAID or AWAITING_SHIPMENT."""
    _after_sale(ctx, "cancel", order, lines, reason, title=f"cancelled order {order} on TikTok")


def refund(
    ctx: typer.Context,
    order: str = typer.Argument(..., help="Order id."),
    lines: str | None = typer.Option(None, "--lines", metavar="SKU,SKU", help="Only these seller SKUs."),
    reason: str = typer.Option("Seller refund", "--reason", help="Refund reason sent to TikTok."),
) -> None:
    """Refund an order (or some lines) through TikTok; PayPal and Apple Pay orders must be refunded on TikTok."""
    _after_sale(ctx, "refund", order, lines, reason, title=f"refund of order {order}")


def register(app: typer.Typer) -> None:
    app.command("cancel")(cancel)
    app.command("refund")(refund)
