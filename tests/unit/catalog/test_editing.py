"""R38/R39 edits, the pure part: a partial edit sends only the changed top-level fields, each complete, with
the category's companions; kept SKUs are named by TikTok's id and carry no stock or price; a new child is
added, a removed one dropped; what TikTok holds afterwards is merged for the next comparison. R40/R43: a
live product stays on sale while an edit of it is in review."""

from __future__ import annotations

from typing import Any

from services.catalog.editing.domain import changed_fields, dropped, edit_body, merged, sku_changes
from services.catalog.posting.domain import on_sale


def _sku(seller_sku: str, colour: str) -> dict[str, Any]:
    return {"seller_sku": seller_sku, "price": {"amount": "9.90", "currency": "USD"},
            "inventory": [{"warehouse_id": "W1", "quantity": 4}],
            "sales_attributes": [{"id": "100000", "value_name": colour}]}


SENT: dict[str, Any] = {
    "title": "Tee", "description": "<p>Soft</p>", "category_id": "601226", "category_version": "v2",
    "main_images": [{"uri": "a"}, {"uri": "b"}], "product_attributes": [{"id": "1", "values": [{"id": "9"}]}],
    "skus": [_sku("T-RED", "Red"), _sku("T-BLUE", "Blue")], "save_mode": "LISTING",
}
IDS = {"T-RED": "s1", "T-BLUE": "s2"}


def test_a_partial_edit_sends_only_the_changed_fields() -> None:
    new = {**SENT, "title": "Organic tee"}
    body, fields = edit_body("partial", SENT, new, IDS)
    assert fields == ["title"] and body == {"title": "Organic tee"}


def test_stock_and_price_of_kept_skus_are_no_change_and_are_never_sent_by_an_edit() -> None:
    new = {**SENT, "skus": [{**_sku("T-RED", "Red"), "inventory": [{"warehouse_id": "W1", "quantity": 0}]},
                            {**_sku("T-BLUE", "Blue"), "price": {"amount": "1.00", "currency": "USD"}}]}
    assert changed_fields(SENT, new, IDS) == []
    body, _ = edit_body("full", SENT, new, IDS)
    assert [s.get("id") for s in body["skus"]] == ["s1", "s2"]
    assert not any("price" in s or "inventory" in s for s in body["skus"])
    assert "save_mode" not in body


def test_a_new_category_goes_with_its_version_and_attributes() -> None:
    new = {**SENT, "category_id": "601300"}
    body, fields = edit_body("partial", SENT, new, IDS)
    assert fields == ["category_id"]
    assert set(body) == {"category_id", "category_version", "product_attributes"}


def test_a_child_added_and_one_removed_send_the_whole_sku_list_by_id() -> None:
    new = {**SENT, "skus": [_sku("T-BLUE", "Blue"), _sku("T-GREEN", "Green")]}
    body, fields = edit_body("partial", SENT, new, IDS)
    assert fields == ["skus"]
    blue, green = body["skus"]
    assert blue["id"] == "s2" and "price" not in blue
    assert "id" not in green and green["price"]["amount"] == "9.90" and green["inventory"]  # new: stock and price
    changes = sku_changes(new, IDS)
    assert (changes.kept, changes.added, changes.removed) == ({"T-BLUE": "s2"}, ["T-GREEN"], {"T-RED": "s1"})


def test_a_field_removed_from_the_record_cannot_go_by_partial_edit() -> None:
    new = {k: v for k, v in SENT.items() if k != "description"}
    fields = changed_fields(SENT, new, IDS)
    assert fields == ["description"] and dropped(fields, new) == ["description"]


def test_what_tiktok_holds_after_an_edit_is_the_next_comparison() -> None:
    new = {**SENT, "title": "Organic tee", "description": "<p>Heavier</p>"}
    _, fields = edit_body("partial", SENT, new, IDS)
    after = merged(SENT, new, "partial", ["title"])  # only the title was sent
    assert after["title"] == "Organic tee" and after["description"] == "<p>Soft</p>"
    assert changed_fields(after, new, IDS) == ["description"]
    assert merged(SENT, new, "full", fields) == new


def test_a_live_product_stays_on_sale_while_an_edit_is_reviewed_or_rejected() -> None:
    assert on_sale("PENDING", False) == ("PENDING", False)  # first review: not on sale yet
    assert on_sale("ACTIVATE", False) == ("ACTIVATE", True)
    assert on_sale("PENDING", True) == ("ACTIVATE", True)  # an edit in review: the approved version sells
    assert on_sale("FAILED", True) == ("ACTIVATE", True)  # the edit was rejected: the live version stays
    assert on_sale("FAILED", False) == ("FAILED", False)
    assert on_sale("FREEZE", True) == ("FREEZE", False)
    assert on_sale("SELLER_DEACTIVATED", True) == ("SELLER_DEACTIVATED", False)
