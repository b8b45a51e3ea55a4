"""What an order's page shows, from the orders service's ``GET /orders/{id}`` (lines, recipient, payment,
notes, both statuses, the settlement summary), ``GET /orders/{id}/cancellations``, ``/refunds`` and
``/settlements``, and the fulfillment service's ``GET /shipments?order_id=`` (uploads and TikTok's side)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from libs.cli.render import text

from .views import fulfillment_of, listed, money, order_link, statuses_differ

#: The recipient's fields in the order an address is read; any other field the service sends follows.
RECIPIENT = (("name", "name"), ("phone", "phone"), ("address_line1", "address"), ("address_line2", "address 2"),
             ("city", "city"), ("state", "state"), ("postal_code", "postal code"), ("country", "country"),
             ("full_address", "full address"))
#: Upload statuses of a shipment (fulfillment's words) and how the page marks them.
UPLOAD_MARK = {"uploaded": "good", "pending": "warn", "waiting_for_order": "warn", "not_uploaded": "muted",
               "failed": "bad"}
#: Payment methods the seller refunds on TikTok itself (the CLI's `orders refund` help says so).
REFUND_ON_TIKTOK = ("paypal", "apple pay")


@dataclass(frozen=True)
class Line:
    seller_sku: str
    product_name: str
    sku_id: str
    product_id: str
    quantity: int
    unit_price: str
    line_item_ids: str
    #: how many of its line items TikTok reports cancelled
    cancelled: int


@dataclass(frozen=True)
class Status:
    """Our status next to TikTok's, and what goes with them."""

    ours: str
    tiktok: str
    shipping: str
    differs: bool
    on_hold: bool
    cancellation_flagged: bool


@dataclass(frozen=True)
class Shipment:
    shipment_id: str
    source: str
    carrier: str
    tracking_number: str
    upload_status: str
    mark: str
    tiktok_side: str
    package_id: str
    line_item_ids: str
    attempts: int
    shipped_at: str
    uploaded_at: str
    next_attempt_at: str
    error: str


@dataclass(frozen=True)
class Cancellation:
    detected_at: str
    initiated_by: str
    reason: str
    whole_order: bool
    line_item_ids: str
    tiktok_status: str
    applied: bool
    not_applied_reason: str


@dataclass(frozen=True)
class Settlement:
    statement_time: str
    statement_id: str
    transaction_id: str
    revenue: str
    fees: str
    settlement: str
    payout_status: str
    applied: bool


@dataclass(frozen=True)
class Order:
    order_id: str
    link: str
    shop_id: str
    status: Status
    fulfillment: str
    channel: str
    order_source: str
    created_at: str
    paid_at: str
    is_replacement: bool
    replaced_order_id: str
    replaced_link: str
    wms_should_pick: bool
    buyer_message: str
    notes: list[str]
    lines: list[Line]
    skus: list[str]
    recipient: list[tuple[str, str]]
    payment_method: str
    totals: list[tuple[str, str]]
    settlement: list[tuple[str, str]]
    refunded_on_tiktok: bool


def status_of(order: dict[str, Any]) -> Status:
    ours, tiktok = str(order.get("status") or ""), str(order.get("tiktok_status") or "")
    return Status(ours=ours, tiktok=tiktok, shipping=str(order.get("shipping_status") or ""),
                  differs=statuses_differ(ours, tiktok), on_hold=bool(order.get("is_on_hold")),
                  cancellation_flagged=bool(order.get("cancellation_flagged")))


def line_of(line: dict[str, Any], cancelled_ids: set[str]) -> Line:
    ids = [str(i) for i in line.get("line_item_ids") or []]
    return Line(seller_sku=str(line.get("seller_sku") or ""), product_name=str(line.get("product_name") or ""),
                sku_id=str(line.get("sku_id") or ""), product_id=str(line.get("product_id") or ""),
                quantity=int(line.get("quantity") or 0), unit_price=str(line.get("unit_price") or ""),
                line_item_ids=text(ids), cancelled=sum(1 for i in ids if i in cancelled_ids))


def recipient_of(recipient: Any) -> list[tuple[str, str]]:
    """(label, value) of each field the recipient has, in an address's order."""
    if not isinstance(recipient, dict):
        return []
    known = dict(RECIPIENT)
    shown = [(label, text(recipient[key])) for key, label in RECIPIENT if recipient.get(key) not in (None, "")]
    extra = [(key.replace("_", " "), text(value)) for key, value in recipient.items()
             if key not in known and value not in (None, "")]
    return shown + extra


def order_of(order: dict[str, Any]) -> Order:
    order_id = str(order.get("order_id", ""))
    currency = order.get("currency")
    totals = order.get("totals") if isinstance(order.get("totals"), dict) else {}
    cancelled = {str(i) for i in order.get("cancelled_line_item_ids") or []}
    lines = [line_of(x, cancelled) for x in order.get("lines") or [] if isinstance(x, dict)]
    replaced = str(order.get("replaced_order_id") or "")
    method = str(order.get("payment_method") or "")
    settled = order.get("settlement_amount") not in (None, "")
    return Order(
        order_id=order_id, link=order_link(order_id), shop_id=str(order.get("shop_id") or ""),
        status=status_of(order), fulfillment=fulfillment_of(order), channel=str(order.get("channel") or ""),
        order_source=str(order.get("order_source") or ""), created_at=str(order.get("created_at") or ""),
        paid_at=str(order.get("paid_at") or ""), is_replacement=bool(order.get("is_replacement")),
        replaced_order_id=replaced, replaced_link=order_link(replaced) if replaced else "",
        wms_should_pick=bool(order.get("wms_should_pick")), buyer_message=str(order.get("buyer_message") or ""),
        notes=[text(n) for n in order.get("notes") or []], lines=lines,
        skus=list(dict.fromkeys(x.seller_sku for x in lines if x.seller_sku)),
        recipient=recipient_of(order.get("recipient")), payment_method=method,
        totals=[(label, money((totals or {}).get(key), currency)) for key, label in
                (("sub_total", "subtotal"), ("shipping_fee", "shipping"), ("tax", "tax"), ("total", "total"))],
        settlement=[("settled", money(order.get("settlement_amount"), currency)),
                    ("fees", money(order.get("settlement_fees"), currency)),
                    ("payout", str(order.get("payout_status") or "—")),
                    ("settled at", str(order.get("settled_at") or ""))] if settled else [],
        refunded_on_tiktok=method.strip().lower() in REFUND_ON_TIKTOK,
    )


def shipment_of(s: dict[str, Any]) -> Shipment:
    status = str(s.get("upload_status") or s.get("status") or "")
    return Shipment(
        shipment_id=str(s.get("shipment_id") or s.get("id") or ""), source=str(s.get("source") or ""),
        carrier=str(s.get("carrier") or ""), tracking_number=str(s.get("tracking_number") or ""),
        upload_status=status.replace("_", " "), mark=UPLOAD_MARK.get(status, ""),
        tiktok_side=str(s.get("tiktok_side") or s.get("tiktok_status") or ""),
        package_id=str(s.get("tiktok_package_id") or s.get("package_id") or ""),
        line_item_ids=text(s.get("line_item_ids") or []), attempts=int(s.get("attempts") or 0),
        shipped_at=str(s.get("shipped_at") or ""), uploaded_at=str(s.get("uploaded_at") or ""),
        next_attempt_at=str(s.get("next_attempt_at") or "") if status in ("pending", "failed") else "",
        error=text(s.get("error") or s.get("last_error") or ""),
    )


def shipments_of(body: Any) -> list[Shipment]:
    return [shipment_of(s) for s in listed(body, "shipments")]


def cancellations_of(body: Any) -> list[Cancellation]:
    return [Cancellation(
        detected_at=str(c.get("detected_at") or ""), initiated_by=str(c.get("initiated_by") or ""),
        reason=str(c.get("reason") or ""), whole_order=bool(c.get("whole_order")),
        line_item_ids=text(c.get("line_item_ids") or []), tiktok_status=str(c.get("tiktok_status") or ""),
        applied=bool(c.get("applied")), not_applied_reason=str(c.get("not_applied_reason") or ""),
    ) for c in listed(body, "cancellations")]


def settlements_of(body: Any) -> list[Settlement]:
    return [Settlement(
        statement_time=str(s.get("statement_time") or ""), statement_id=str(s.get("statement_id") or ""),
        transaction_id=str(s.get("transaction_id") or ""),
        revenue=money(s.get("revenue_amount"), s.get("currency")), fees=money(s.get("fee_amount"), s.get("currency")),
        settlement=money(s.get("settlement_amount"), s.get("currency")),
        payout_status=str(s.get("payout_status") or ""), applied=s.get("applied_at") is not None,
    ) for s in listed(body, "settlements")]


@dataclass(frozen=True)
class Refund:
    requested_at: str
    return_id: str
    line_item_ids: str
    reason: str
    return_status: str
    amount: str


def refunds_of(body: Any) -> list[Refund]:
    return [Refund(
        requested_at=str(r.get("requested_at") or ""), return_id=str(r.get("return_id") or ""),
        line_item_ids=text(r.get("line_item_ids") or []), reason=str(r.get("reason") or ""),
        return_status=str(r.get("return_status") or ""), amount=money(r.get("amount"), r.get("currency")),
    ) for r in listed(body, "refunds")]
