"""R21 manual ship request: validation and the id that makes a repeated command ship once."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from services.fulfillment.manual.api import ShipRequest
from services.fulfillment.manual.domain import new_shipment_id


def test_same_order_and_tracking_give_the_same_shipment_id() -> None:
    first = new_shipment_id("O1", "1Z99")
    assert first == new_shipment_id("O1", " 1Z99 ") and first.startswith("manual-")
    assert first != new_shipment_id("O1", "1Z98") and first != new_shipment_id("O2", "1Z99")


def test_ship_request_takes_lines_or_ids_not_both_and_no_blanks() -> None:
    ok = ShipRequest(carrier="UPS", tracking_number="T", lines=[{"seller_sku": "A", "quantity": 2}])  # type: ignore[list-item]
    assert ok.lines is not None and ok.lines[0].quantity == 2
    with pytest.raises(ValidationError, match="not both"):
        ShipRequest(carrier="UPS", tracking_number="T", lines=[{"seller_sku": "A", "quantity": 1}],  # type: ignore[list-item]
                    line_item_ids=["1"])
    with pytest.raises(ValidationError, match="must not be blank"):
        ShipRequest(carrier="  ", tracking_number="T")
    with pytest.raises(ValidationError):
        ShipRequest(carrier="UPS", tracking_number="T", lines=[])
