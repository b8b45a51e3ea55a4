"""What the orders list shows, from the orders service's ``GET /orders`` and auth's ``GET /shops``: the
search (shop, our status, a date range, how many) and one row an order with our status next to TikTok's.

The orders API filters by shop, status and "created before" (``before``) itself; it has no "created from",
so the console drops the orders created before ``from`` from the newest ``limit`` the API answers (newest
first, so what is left is exactly the newest ``limit`` orders of the range).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

import typer

from libs.cli.arguments import segment
from libs.cli.shop_status import parse_time
from libs.cli.validation import date_from, date_to

#: Our statuses of an order (the orders service's ``status``, what ``GET /orders?status=`` filters on).
STATUSES = ("In Process", "On Hold", "Shipped", "Completed", "Cancelled")
#: How many orders a search asks for (the orders API answers at most 500).
LIMITS = (50, 100, 200, 500)


@dataclass(frozen=True)
class Search:
    """A search as the operator gave it (the form's values) and as the API is asked."""

    shop: str = ""
    status: str = ""
    from_: str = ""
    to: str = ""
    limit: int = LIMITS[0]
    start: datetime | None = None
    end: datetime | None = None

    def api_params(self) -> dict[str, Any]:
        """The orders API's query: ``before`` is the range's (exclusive) end."""
        return {"shop": self.shop or None, "status": self.status or None, "limit": self.limit,
                "before": self.end.isoformat() if self.end else None}

    def query(self) -> str:
        """The search as a query string, for the live table to ask for the same orders."""
        given = {"shop": self.shop, "status": self.status, "from": self.from_, "to": self.to}
        return urlencode({**{k: v for k, v in given.items() if v}, "limit": self.limit})

    @property
    def filtered(self) -> bool:
        return bool(self.shop or self.status or self.from_ or self.to)


def _bad_date(exc: typer.BadParameter, which: str) -> str:
    return f"Error: {which}: {exc.message}"


def search(shop: str = "", status: str = "", from_: str = "", to: str = "", limit: str = "") -> tuple[Search, list[str]]:
    """The search of the form's values, and what is wrong with them (a bad value is left out, not guessed).

    Dates are read as the CLI reads ``--from``/``--to``: a bare date is that day in UTC, and ``to`` takes in
    the whole day it names."""
    problems: list[str] = []
    shop, status, from_, to = shop.strip(), status.strip(), from_.strip(), to.strip()
    if status and status not in STATUSES:
        problems.append(f"Error: {status!r} is not an order status; expected one of {', '.join(STATUSES)}.")
        status = ""
    start = end = None
    try:
        start = date_from(from_ or None)
    except typer.BadParameter as exc:
        problems.append(_bad_date(exc, "from"))
        from_ = ""
    try:
        end = date_to(to or None)
    except typer.BadParameter as exc:
        problems.append(_bad_date(exc, "to"))
        to = ""
    if start is not None and end is not None and start >= end:
        problems.append(f"Error: from {start.isoformat()} is not before to {end.isoformat()}; "
                        "the range must start before it ends.")
        from_, to, start, end = "", "", None, None
    count = int(limit) if limit.isdigit() and int(limit) in LIMITS else LIMITS[0]
    return Search(shop, status, from_, to, count, start, end), problems


@dataclass(frozen=True)
class ShopChoice:
    shop_id: str
    label: str


def shop_choices(body: Any) -> list[ShopChoice]:
    """Auth's shops as the search's choices: ``name (id)``, by name."""
    choices = [ShopChoice(str(s.get("shop_id", "")), f"{s.get('name')} ({s.get('shop_id')})" if s.get("name")
                          else str(s.get("shop_id", ""))) for s in listed(body, "shops")]
    return sorted(choices, key=lambda c: c.label.lower())


def listed(body: Any, key: str) -> list[dict[str, Any]]:
    """The objects of the list an answer holds under ``key`` (or the answer itself, when it is the list)."""
    found = body.get(key) if isinstance(body, dict) else body
    return [x for x in found if isinstance(x, dict)] if isinstance(found, list) else []


def money(amount: Any, currency: Any) -> str:
    """``33.00 USD``; a dash when there is no amount."""
    if amount in (None, ""):
        return "—"
    return f"{amount} {currency or ''}".strip()


def order_link(order_id: str) -> str:
    """The console's page of an order (the id percent-encoded as one path segment)."""
    return f"/orders/{segment(order_id)}"


@dataclass(frozen=True)
class OrderRow:
    order_id: str
    link: str
    shop_id: str
    shop_name: str
    created_at: str
    status: str
    tiktok_status: str
    shipping_status: str
    fulfillment: str
    units: int
    total: str
    replacement_of: str
    #: our status and TikTok's do not say the same (e.g. TikTok cancelled, we have not yet)
    differs: bool


#: TikTok's order statuses that go with each of ours (the orders service maps them so).
TIKTOK_FOR_OURS: dict[str, frozenset[str]] = {
    "In Process": frozenset({"UNPAID", "AWAITING_SHIPMENT", "PARTIALLY_SHIPPING"}),
    "On Hold": frozenset({"ON_HOLD"}),
    "Shipped": frozenset({"AWAITING_COLLECTION", "IN_TRANSIT"}),
    "Completed": frozenset({"DELIVERED", "COMPLETED", "AWAITING_COLLECTION", "IN_TRANSIT"}),
    "Cancelled": frozenset({"CANCELLED"}),
}


def statuses_differ(ours: str, tiktok: str) -> bool:
    """Whether TikTok's status is not one that goes with ours (only for statuses both sides know)."""
    expected = TIKTOK_FOR_OURS.get(ours)
    return bool(expected and tiktok) and tiktok not in (expected or ())


def fulfillment_of(order: dict[str, Any]) -> str:
    kind = "by TikTok" if order.get("fulfillment_type") == "TIKTOK" else "by seller"
    return str(order.get("subtype") or kind)


def order_row(order: dict[str, Any], shops: dict[str, str]) -> OrderRow:
    order_id = str(order.get("order_id", ""))
    shop_id = str(order.get("shop_id", ""))
    status, tiktok = str(order.get("status") or ""), str(order.get("tiktok_status") or "")
    return OrderRow(
        order_id=order_id, link=order_link(order_id), shop_id=shop_id, shop_name=shops.get(shop_id, ""),
        created_at=str(order.get("created_at") or ""), status=status, tiktok_status=tiktok,
        shipping_status=str(order.get("shipping_status") or ""), fulfillment=fulfillment_of(order),
        units=int(order.get("units") or 0), total=money(order.get("total"), order.get("currency")),
        replacement_of=str(order.get("replaced_order_id") or "") if order.get("is_replacement") else "",
        differs=statuses_differ(status, tiktok),
    )


def order_rows(body: Any, shops: dict[str, str], wanted: Search) -> list[OrderRow]:
    """The orders of the API's answer the search wants (those created before its start are left out)."""
    rows = []
    for order in listed(body, "orders"):
        created = parse_time(order.get("created_at"))
        if wanted.start is not None and (created is None or created < wanted.start):
            continue
        rows.append(order_row(order, shops))
    return rows


def shop_names(body: Any) -> dict[str, str]:
    return {str(s.get("shop_id")): str(s.get("name") or "") for s in listed(body, "shops")}
