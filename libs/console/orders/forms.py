"""The orders actions' requests, from the console's forms, and what the operator is told afterwards, both
as the CLI has them: ``ttshop orders download`` (libs/cli/orders.py), ``orders ship`` (order_ship.py) and
``orders cancel|refund`` (order_actions.py). A form that cannot make a request raises :class:`FormError`
with what to change; the services enforce every other rule and their refusals are shown as they say them."""

from __future__ import annotations

from typing import Any

import typer

from libs.cli.render import pick, text
from libs.cli.validation import date_from, date_range, date_to

#: The refund reason when the operator gives none (the CLI's ``--reason`` default).
DEFAULT_REFUND_REASON = "Seller refund"


class FormError(ValueError):
    """What is wrong with a form's values (shown as ``Error: …``)."""


def download_body(shop: str, from_: str, to: str) -> dict[str, Any]:
    """``POST /jobs/download``: the shop and, when given, the range (a bare ``to`` date takes in that day;
    ``from`` alone runs until now; ``to`` alone is refused); without one the service picks its window."""
    shop = shop.strip()
    if not shop:
        raise FormError("choose the shop to download orders of")
    try:
        start, end = date_range(date_from(from_.strip() or None), date_to(to.strip() or None))
    except typer.BadParameter as exc:
        raise FormError(exc.message.replace("--from", "from").replace("--to", "to")) from None
    body: dict[str, Any] = {"shop": shop}
    if start is not None and end is not None:
        body["from"], body["to"] = start.isoformat(), end.isoformat()
    return body


def download_started(job: Any, shop: str) -> tuple[str, str]:
    """(the job's id, the message): the CLI's ``Started download job … for shop …``."""
    job_id = str(pick(job if isinstance(job, dict) else {}, "id", "job_id"))
    return job_id, f"Started download job {job_id} for shop {shop}"


def ship_lines(skus: list[str], quantities: list[str]) -> list[dict[str, Any]] | None:
    """The units to ship, one quantity box per order line (blank or 0: none of that line); None when every
    box is blank, which ships everything not shipped yet (the CLI without ``--lines``). A SKU on two lines
    ships the sum."""
    if len(skus) != len(quantities):
        raise FormError("the lines of the form do not match (reload the page)")
    wanted: dict[str, int] = {}
    for sku, given in zip(skus, quantities, strict=True):
        given = given.strip()
        if not given:
            continue
        try:
            quantity = int(given)
        except ValueError:
            raise FormError(f"{sku}: quantity must be a whole number, not {given!r}") from None
        if quantity < 0:
            raise FormError(f"{sku}: a quantity is 0 or more, not {quantity}")
        if quantity and sku.strip():
            wanted[sku.strip()] = wanted.get(sku.strip(), 0) + quantity
    if not wanted and any(q.strip() for q in quantities):
        raise FormError("every quantity is 0: give the units that shipped, or leave every box blank to ship "
                        "everything not shipped yet")
    return [{"seller_sku": sku, "quantity": n} for sku, n in wanted.items()] or None


def ship_body(carrier: str, tracking: str, skus: list[str], quantities: list[str]) -> dict[str, Any]:
    """``POST /orders/{id}/ship`` on fulfillment: the carrier, the tracking number and, if given, the lines."""
    if not carrier.strip() or not tracking.strip():
        raise FormError("give the carrier (e.g. USPS) and the tracking number")
    body: dict[str, Any] = {"carrier": carrier.strip(), "tracking_number": tracking.strip()}
    lines = ship_lines(skus, quantities)
    if lines is not None:
        body["lines"] = lines
    return body


def shipped(shipment: Any, order_id: str) -> str:
    """The CLI's ``Shipment … of order …: CARRIER TRACKING (upload status) for line items …``."""
    s = shipment if isinstance(shipment, dict) else {}
    return (f"Shipment {pick(s, 'shipment_id')} of order {order_id}: {pick(s, 'carrier')} "
            f"{pick(s, 'tracking_number')} ({pick(s, 'upload_status')}) for line items {text(pick(s, 'line_item_ids'))}")


def after_sale_body(action: str, reason: str, skus: list[str]) -> dict[str, Any]:
    """``POST /orders/{id}/cancel`` or ``/refund``: the reason and, when some are ticked, the seller SKUs
    (all lines when none is). A cancel needs a reason; a refund without one gives TikTok the CLI's default."""
    reason = reason.strip()
    if not reason:
        if action == "cancel":
            raise FormError("a cancellation needs a reason")
        reason = DEFAULT_REFUND_REASON
    body: dict[str, Any] = {"reason": reason}
    chosen = list(dict.fromkeys(s.strip() for s in skus if s.strip()))
    if chosen:
        body["lines"] = chosen
    return body


def after_sale_done(action: str, order_id: str, answer: Any) -> str:
    """The CLI's title (``cancelled order … on TikTok`` / ``refund of order …``) with what the service said."""
    title = f"cancelled order {order_id} on TikTok" if action == "cancel" else f"refund of order {order_id}"
    facts = {k: v for k, v in (answer.items() if isinstance(answer, dict) else ()) if k != "order_id"}
    return f"{title}: {text(facts)}" if facts else title
