"""The data models: self-describing, examples that validate, the rules users rely on."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any, get_args

import pytest
from pydantic import BaseModel, TypeAdapter, ValidationError

from libs.common.events import (
    EVENT_MODELS,
    CancellationDetected,
    InventoryChanged,
    OrderDownloaded,
    PriceChanged,
    ShipmentCreated,
    ShopSettingsChanged,
)
from libs.common.events.asyncapi import example_data

WHEN = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def _nested_models(model: type[BaseModel], seen: set[type[BaseModel]] | None = None) -> set[type[BaseModel]]:
    """The model and every model used in its fields, recursively."""
    seen = seen if seen is not None else set()
    if model in seen:
        return seen
    seen.add(model)
    for field in model.model_fields.values():
        stack: list[Any] = [field.annotation]
        while stack:
            tp = stack.pop()
            if isinstance(tp, type) and issubclass(tp, BaseModel):
                _nested_models(tp, seen)
            stack.extend(get_args(tp))
    return seen


ALL_MODELS = sorted(
    {m for root in EVENT_MODELS.values() for m in _nested_models(root)}, key=lambda m: m.__name__
)
FIELDS = [(m, name) for m in ALL_MODELS for name in m.model_fields]


@pytest.mark.parametrize(("model", "name"), FIELDS, ids=[f"{m.__name__}.{n}" for m, n in FIELDS])
def test_every_field_is_described_with_examples_that_validate(model: type[BaseModel], name: str) -> None:
    field = model.model_fields[name]
    assert field.description, f"{model.__name__}.{name} has no description"
    assert field.examples, f"{model.__name__}.{name} has no examples"
    annotation: Any = Annotated[field.annotation, *field.metadata] if field.metadata else field.annotation
    adapter: TypeAdapter[Any] = TypeAdapter(annotation)
    for example in field.examples:
        adapter.validate_python(example)


@pytest.mark.parametrize("model", list(EVENT_MODELS.values()), ids=list(EVENT_MODELS))
def test_first_examples_make_a_valid_event(model: type[BaseModel]) -> None:
    data = example_data(model)  # type: ignore[arg-type]
    assert isinstance(data, model)


def test_event_models_declare_type_topic_and_a_required_key() -> None:
    for event_type, model in EVENT_MODELS.items():
        assert model.event_type == event_type
        assert model.topic and model.key_field in model.model_fields
        assert model.model_fields[model.key_field].is_required(), f"{event_type} key must be required"


def test_money_is_serialized_as_a_decimal_string() -> None:
    price = PriceChanged(seller_sku="A", amount=Decimal("1E+2"), currency="USD", occurred_at=WHEN)
    assert price.model_dump(mode="json")["amount"] == "100"
    order = example_data(OrderDownloaded)
    dumped = json.loads(order.model_dump_json())
    assert dumped["totals"]["total"] == "48.18"
    assert dumped["lines"][0]["unit_price"] == "19.99"
    assert price.amount == Decimal(100)


def test_amounts_and_counts_cannot_be_negative() -> None:
    with pytest.raises(ValidationError, match="greater than or equal to 0"):
        InventoryChanged(seller_sku="A", available=-1, occurred_at=WHEN)
    with pytest.raises(ValidationError, match="amount"):
        PriceChanged(seller_sku="A", amount=Decimal("-1.00"), currency="USD", occurred_at=WHEN)
    with pytest.raises(ValidationError, match="finite"):
        PriceChanged(seller_sku="A", amount=Decimal("NaN"), currency="USD", occurred_at=WHEN)


def test_naive_timestamps_are_refused() -> None:
    with pytest.raises(ValidationError, match="timezone"):
        InventoryChanged(seller_sku="A", available=1, occurred_at=datetime(2024, 5, 1, 12, 0))


def _shipment(**changes: Any) -> ShipmentCreated:
    values = example_data(ShipmentCreated).model_dump() | changes
    return ShipmentCreated.model_validate(values)


def test_shipment_names_lines_or_line_items_or_neither() -> None:
    assert _shipment(lines=None, line_item_ids=["1"]).line_item_ids == ["1"]
    everything = _shipment(lines=None, line_item_ids=None)
    assert everything.lines is None and everything.line_item_ids is None
    with pytest.raises(ValidationError, match="not both"):
        _shipment(line_item_ids=["1"])
    with pytest.raises(ValidationError, match="at least 1 item"):
        _shipment(lines=[])


def test_shipment_needs_a_tracking_number() -> None:
    with pytest.raises(ValidationError, match="tracking_number"):
        _shipment(tracking_number="  ")


def test_fbt_orders_are_not_picked_and_replacements_name_the_original() -> None:
    base = example_data(OrderDownloaded).model_dump()
    fbt = OrderDownloaded.model_validate(
        base | {"fulfillment_type": "TIKTOK", "subtype": "Fulfilled by TikTok", "wms_should_pick": False}
    )
    assert fbt.wms_should_pick is False
    with pytest.raises(ValidationError, match="wms_should_pick must be false"):
        OrderDownloaded.model_validate(base | {"fulfillment_type": "TIKTOK", "wms_should_pick": True})
    with pytest.raises(ValidationError, match="replaced_order_id"):
        OrderDownloaded.model_validate(base | {"is_replacement": True, "replaced_order_id": None})
    with pytest.raises(ValidationError, match="line_item_ids"):
        OrderDownloaded.model_validate(base | {"lines": [base["lines"][0] | {"line_item_ids": []}]})


def test_cancellation_not_applied_says_why() -> None:
    base = example_data(CancellationDetected).model_dump()
    flagged = CancellationDetected.model_validate(
        base | {"applied": False, "not_applied_reason": "order already shipped"}
    )
    assert flagged.not_applied_reason == "order already shipped"
    with pytest.raises(ValidationError, match="not_applied_reason is required"):
        CancellationDetected.model_validate(base | {"applied": False, "not_applied_reason": None})


def test_shop_settings_defaults_follow_r5() -> None:
    settings = ShopSettingsChanged(shop_id="1", changed_at=WHEN)
    switches = settings.model_dump(
        exclude={"shop_id", "changed_at", "status", "reason", "identifier_priority", "token_generation",
                 "inventory_buffer", "out_of_stock_threshold"}
    )
    assert switches.pop("send_brand_info") is True
    assert set(switches.values()) == {False}
    assert (settings.inventory_buffer, settings.out_of_stock_threshold) == ("0", 0)  # R46: nothing held back
    assert settings.identifier_priority == ["UPC", "EAN", "GTIN", "ISBN"]
    with pytest.raises(ValidationError, match="must not repeat"):
        ShopSettingsChanged(shop_id="1", changed_at=WHEN, identifier_priority=["UPC", "UPC"])


def test_no_event_carries_a_secret() -> None:
    forbidden = ("token", "secret", "password", "sign", "auth_code")
    counters = {"token_generation"}  # how many tokens a shop has had: a number, never the token
    for model in ALL_MODELS:
        for name in set(model.model_fields) - counters:
            assert not any(word in name for word in forbidden), f"{model.__name__}.{name} looks like a secret"


def test_unknown_data_fields_are_ignored_for_additive_evolution() -> None:
    event = InventoryChanged.model_validate(
        {"seller_sku": "A", "available": 1, "occurred_at": "2024-05-01T12:00:00Z", "added_later": 1}
    )
    assert "added_later" not in event.model_dump()
