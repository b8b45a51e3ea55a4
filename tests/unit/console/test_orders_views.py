"""The orders list's data: the search as the form gives it and as the orders API is asked, and the rows."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import parse_qs

from libs.console.orders import views

SHOPS = {"shops": [{"shop_id": "7002", "name": "zeta"}, {"shop_id": "7001", "name": "Alpha"}, {"shop_id": "7003"}]}


def order(order_id: str = "5701", created: str = "2026-05-02T10:00:00+00:00", **fields: object) -> dict[str, object]:
    return {"order_id": order_id, "shop_id": "7001", "status": "In Process", "shipping_status": "Unshipped",
            "tiktok_status": "AWAITING_SHIPMENT", "fulfillment_type": "SELLER", "subtype": None,
            "is_replacement": False, "replaced_order_id": None, "created_at": created, "currency": "USD",
            "total": "33.00", "units": 3, **fields}


def test_an_empty_search_asks_for_the_newest_orders_of_every_shop() -> None:
    wanted, problems = views.search()
    assert problems == []
    assert wanted.api_params() == {"shop": None, "status": None, "limit": 50, "before": None}
    assert not wanted.filtered and wanted.query() == "limit=50"


def test_dates_are_read_as_the_cli_reads_them_to_taking_in_its_whole_day() -> None:
    wanted, problems = views.search(shop=" 7001 ", status="Shipped", from_="2026-05-01", to="2026-05-03", limit="200")
    assert problems == []
    assert wanted.start == datetime(2026, 5, 1, tzinfo=UTC)
    assert wanted.end == datetime(2026, 5, 4, tzinfo=UTC)  # midnight after the day named
    assert wanted.api_params() == {"shop": "7001", "status": "Shipped", "limit": 200,
                                   "before": "2026-05-04T00:00:00+00:00"}
    assert parse_qs(wanted.query()) == {"shop": ["7001"], "status": ["Shipped"], "from": ["2026-05-01"],
                                        "to": ["2026-05-03"], "limit": ["200"]}


def test_a_bad_value_is_named_and_left_out_of_the_search() -> None:
    wanted, problems = views.search(status="Lost", from_="yesterday", limit="9999")
    assert wanted.status == "" and wanted.start is None and wanted.from_ == "" and wanted.limit == 50
    assert problems[0].startswith("Error: 'Lost' is not an order status; expected one of In Process")
    assert problems[1].startswith("Error: from: 'yesterday' is not a date; expected YYYY-MM-DD")


def test_a_range_that_ends_before_it_starts_is_refused() -> None:
    wanted, problems = views.search(from_="2026-05-03", to="2026-05-01")
    assert wanted.start is None and wanted.end is None
    assert problems == [("Error: from 2026-05-03T00:00:00+00:00 is not before to 2026-05-02T00:00:00+00:00; "
                         "the range must start before it ends.")]


def test_orders_created_before_the_start_are_left_out_by_the_console() -> None:
    wanted, _ = views.search(from_="2026-05-02")
    body = {"orders": [order("new", "2026-05-02T00:00:00+00:00"), order("old", "2026-05-01T23:59:59+00:00"),
                       order("undated", "")]}
    assert [r.order_id for r in views.order_rows(body, {}, wanted)] == ["new"]
    assert [r.order_id for r in views.order_rows(body, {}, views.search()[0])] == ["new", "old", "undated"]


def test_a_row_shows_our_status_next_to_tiktoks_with_the_shop_by_name() -> None:
    [row] = views.order_rows({"orders": [order(tiktok_status="CANCELLED", is_replacement=True,
                                               replaced_order_id="5699", order_id="a/b")]},
                             views.shop_names(SHOPS), views.search()[0])
    assert (row.status, row.tiktok_status, row.differs) == ("In Process", "CANCELLED", True)
    assert row.shop_name == "Alpha" and row.total == "33.00 USD" and row.units == 3
    assert row.replacement_of == "5699" and row.fulfillment == "by seller"
    assert row.link == "/orders/a%2Fb"


def test_statuses_that_go_together_are_not_flagged() -> None:
    assert not views.statuses_differ("Shipped", "IN_TRANSIT")
    assert not views.statuses_differ("Completed", "IN_TRANSIT")  # a TikTok-fulfilled order completes on shipping
    assert views.statuses_differ("Shipped", "AWAITING_SHIPMENT")
    assert not views.statuses_differ("Someday", "WHATEVER")  # a status the console does not know is not judged


def test_fulfilled_by_tiktok_says_so() -> None:
    assert views.fulfillment_of({"fulfillment_type": "TIKTOK"}) == "by TikTok"
    assert views.fulfillment_of({"fulfillment_type": "TIKTOK", "subtype": "Fulfilled by TikTok"}) == "Fulfilled by TikTok"


def test_shop_choices_are_named_and_sorted() -> None:
    assert [(c.shop_id, c.label) for c in views.shop_choices(SHOPS)] == [
        ("7003", "7003"), ("7001", "Alpha (7001)"), ("7002", "zeta (7002)")]


def test_money_without_an_amount_is_a_dash() -> None:
    assert views.money("8.00", "USD") == "8.00 USD"
    assert views.money(None, "USD") == "—"
