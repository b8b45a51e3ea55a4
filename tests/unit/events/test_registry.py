"""Building, keying and parsing events; precise reasons for messages that can never succeed."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from libs.common.events import (
    EVENT_MODELS,
    TOPICS,
    TYPES_BY_TOPIC,
    CloudEvent,
    InvalidEvent,
    InventoryChanged,
    OrderDownloaded,
    ShipmentCreated,
    dlq_topic,
    event_key,
    new_event,
    parse_event,
    topic_for,
)
from libs.common.events.asyncapi import example_data

EXPECTED_KEYS = {
    "InventoryChanged": b"TSHIRT-RED-M",
    "PriceChanged": b"TSHIRT-RED-M",
    "ProductReady": b"TSHIRT-RED-M",
    "ListingPosted": b"TSHIRT-RED-M",
    "ListingFailed": b"TSHIRT-RED-M",
    "ListingUpdated": b"TSHIRT-RED-M",
    "OrderDownloaded": b"576486316948490001",
    "CancellationDetected": b"576486316948490001",
    "OrderStatusChanged": b"576486316948490001",
    "ShipmentCreated": b"576486316948490001",
    "ShopConnected": b"7494049642642441621",
    "ShopSettingsChanged": b"7494049642642441621",
    "ShopDisconnected": b"7494049642642441621",
}


def test_topics_and_types_match_the_design() -> None:
    assert TOPICS == [
        "inventory.changed",
        "price.changed",
        "catalog.product-ready",
        "catalog.listing-changed",
        "orders.downloaded",
        "orders.cancellation-detected",
        "orders.status-changed",
        "shipments.created",
        "shops.changed",
    ]
    assert set(EVENT_MODELS) == set(EXPECTED_KEYS)
    assert TYPES_BY_TOPIC["catalog.listing-changed"] == {"ListingPosted", "ListingFailed", "ListingUpdated"}
    assert TYPES_BY_TOPIC["shops.changed"] == {"ShopConnected", "ShopSettingsChanged", "ShopDisconnected"}
    assert topic_for("ShipmentCreated") == "shipments.created"
    assert dlq_topic("orders.downloaded") == "orders.downloaded.dlq"
    with pytest.raises(KeyError, match="Nope"):
        topic_for("Nope")


@pytest.mark.parametrize("event_type", list(EVENT_MODELS))
def test_every_event_round_trips_through_the_wire(event_type: str) -> None:
    data = example_data(EVENT_MODELS[event_type])
    event = new_event(data, source="ttshop/test")
    parsed, parsed_data = parse_event(event.to_bytes(), expected_types=set(TYPES_BY_TOPIC[data.topic]))
    assert parsed == event
    assert parsed_data == data
    assert type(parsed_data) is EVENT_MODELS[event_type]
    assert event_key(parsed) == EXPECTED_KEYS[event_type]
    assert parsed.subject == EXPECTED_KEYS[event_type].decode()
    assert parsed.shopid == getattr(data, "shop_id", None)


def test_new_event_takes_explicit_id_time_and_subject() -> None:
    when = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    data = example_data(OrderDownloaded)
    event = new_event(
        data, source="ttshop/orders", subject="custom", event_id="order-1-downloaded", time=when
    )
    assert (event.id, event.time, event.subject) == ("order-1-downloaded", when, "custom")
    assert event.shopid == "7494049642642441621"
    assert event.data["totals"]["total"] == "48.18"
    with pytest.raises(TypeError, match="not an event contract"):
        new_event(CloudEvent(source="s", type="t", data={}), source="x")


def test_inventory_for_every_shop_has_no_shopid() -> None:
    event = new_event(
        InventoryChanged(seller_sku="A", available=3, occurred_at=datetime.now(UTC)), source="erp"
    )
    assert event.shopid is None
    assert "shopid" not in json.loads(event.to_bytes())


def _wire(**changes: Any) -> bytes:
    event = json.loads(new_event(example_data(InventoryChanged), source="erp", event_id="e-1").to_bytes())
    for name, value in changes.items():
        if value is ...:
            event.pop(name)
        else:
            event[name] = value
    return json.dumps(event).encode()


def _reason(raw: bytes, **kwargs: Any) -> str:
    with pytest.raises(InvalidEvent) as caught:
        parse_event(raw, **kwargs)
    assert str(caught.value) == caught.value.reason
    return caught.value.reason


def test_reasons_for_messages_that_are_not_events() -> None:
    assert _reason(b"\xff\xfe") == "message is not UTF-8 text: invalid byte at position 0"
    assert _reason(b'{"id": ') == "message is not JSON: Expecting value at line 1 column 8"
    assert _reason(b"[1, 2]") == "message must be a JSON object (a CloudEvent), got list"
    assert _reason(_wire(id=...)) == "not a CloudEvent: missing attribute(s) id"
    assert _reason(_wire(id=..., data=...)) == "not a CloudEvent: missing attribute(s) id, data"  # time is optional
    assert "specversion: Input should be '1.0' (got '0.3')" in _reason(_wire(specversion="0.3"))
    assert "time: Input should have timezone info" in _reason(_wire(time="2024-05-01T12:00:00"))
    assert "data: Input should be a valid dictionary" in _reason(_wire(data="text"))


def test_reasons_for_unknown_or_unexpected_types() -> None:
    reason = _reason(_wire(type="InventoryChangedV9"))
    assert reason.startswith("unknown event type 'InventoryChangedV9' (event e-1); known: InventoryChanged,")
    reason = _reason(_wire(), expected_types={"OrderDownloaded"})
    assert reason == (
        "event type 'InventoryChanged' (event e-1) is not expected on this topic; expected: OrderDownloaded"
    )


def test_reasons_for_data_that_breaks_the_contract() -> None:
    data = example_data(InventoryChanged).model_dump(mode="json")
    reason = _reason(_wire(data=data | {"available": -5}))
    assert reason == (
        "invalid data for InventoryChanged (event e-1): "
        "available: Input should be greater than or equal to 0 (got -5)"
    )
    reason = _reason(_wire(data={"available": "many"}))
    assert reason == (
        "invalid data for InventoryChanged (event e-1): seller_sku: Field required; "
        "available: Input should be a valid integer, unable to parse string as an integer (got 'many'); "
        "occurred_at: Field required"
    )
    reason = _reason(_wire(data={}, type="OrderDownloaded"))
    assert reason.endswith("and 7 more error(s)")
    assert len(reason) < 400


def test_shipment_with_empty_tracking_number_is_invalid() -> None:
    data = example_data(ShipmentCreated).model_dump(mode="json") | {"tracking_number": ""}
    raw = _wire(type="ShipmentCreated", data=data, shopid=data["shop_id"])
    assert _reason(raw) == (
        "invalid data for ShipmentCreated (event e-1): "
        "tracking_number: String should have at least 1 character (got '')"
    )


def test_shopid_must_agree_with_data() -> None:
    data = example_data(OrderDownloaded).model_dump(mode="json")
    raw = _wire(type="OrderDownloaded", data=data, shopid="someone-else")
    assert _reason(raw) == (
        "event e-1: shopid attribute 'someone-else' differs from data.shop_id '7494049642642441621'"
    )


def test_long_values_are_cut_in_reasons() -> None:
    data = example_data(InventoryChanged).model_dump(mode="json") | {"available": "x" * 500}
    reason = _reason(_wire(data=data))
    assert "x" * 58 + "…" in reason and "x" * 60 not in reason


def test_newer_producers_do_not_break_older_consumers() -> None:
    data = example_data(InventoryChanged).model_dump(mode="json") | {"reserved": 2}
    event, parsed = parse_event(_wire(data=data, partitionkey="A"))
    assert parsed == example_data(InventoryChanged)
    assert event.model_extra == {"partitionkey": "A"}


def test_event_key_needs_a_known_type_and_a_key_value() -> None:
    with pytest.raises(InvalidEvent, match="unknown event type 'Nope'"):
        event_key(CloudEvent(source="s", type="Nope", data={}))
    with pytest.raises(InvalidEvent, match="has no order_id"):
        event_key(CloudEvent(id="e-2", source="s", type="OrderDownloaded", data={}))
