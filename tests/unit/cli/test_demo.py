"""`ttshop demo`: the event it publishes honours the contract, and a failure names its step."""

from __future__ import annotations

import json

import pytest

from libs.cli.demo import SHIPMENTS_TOPIC, shipment_created_event
from libs.cli.infra import free_port
from libs.common.events import TYPES_BY_TOPIC, ShipmentCreated, parse_event

from .conftest import flat, invoke


def test_demo_shipment_event_is_a_valid_shipment_created() -> None:
    event = shipment_created_event("7494049642642441621", "576486316948490001", "9400111", ["li-1", "li-2"])
    envelope, data = parse_event(json.dumps(event).encode(), expected_types=TYPES_BY_TOPIC[SHIPMENTS_TOPIC])
    assert isinstance(data, ShipmentCreated)
    assert (data.order_id, data.tracking_number, data.carrier) == ("576486316948490001", "9400111", "USPS")
    assert data.line_item_ids == ["li-1", "li-2"]
    assert envelope.subject == "576486316948490001" and envelope.shopid == "7494049642642441621"
    # a fresh id per event: consumers deduplicate on it
    assert shipment_created_event("s", "o", "t", [])["id"] != event["id"]


def test_demo_names_the_failing_step_when_the_stack_is_not_running(monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    monkeypatch.setenv("SANDBOX_URL", url)
    result = invoke(["demo", "--timeout", "2"])
    out = flat(result.output)
    assert result.exit_code == 2, out
    assert "step 'create a seller on the TikTok sandbox' failed" in out
    assert f"sandbox service not reachable at {url}" in out
