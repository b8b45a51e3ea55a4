"""Properties of the event contract (libs.common.events), for every registered event type.

Valid instances are generated from the JSON Schema we publish for each type (deploy/schemas), so a new
event type is covered as soon as it is registered: they survive the envelope to bytes and back unchanged.
Whatever arrives (arbitrary bytes, arbitrary JSON, an envelope whose data holds anything) the consumer's
parse step gives a model or ``InvalidEvent`` (which sends the message to the DLQ), never another exception;
and what it accepts can be stored: no NUL, no lone surrogate, nothing longer than the limits.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from functools import cache
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from libs.common.events import EVENT_MODELS, CloudEvent, InvalidEvent, new_event, parse_event
from libs.common.events.envelope import REQUIRED_ATTRIBUTES
from libs.common.limits import MAX_TEXT_CHARS, unstorable

PROPERTIES = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
EVENT_TYPES = sorted(EVENT_MODELS)

#: Text a valid event may hold: any character but NUL and lone surrogates (PostgreSQL stores neither).
STORABLE = st.characters(exclude_categories=("Cs",), exclude_characters="\x00")
#: Text that tries hard: NUL, lone surrogates, right-to-left marks, combining characters, quotes, SQL.
HOSTILE_TEXT = st.one_of(
    st.text(max_size=30),
    st.sampled_from([
        "", " ", "\x00", "A\x00B", "\ud800", "x\udfff", "\u202e\u200f", "e\u0301", "'; DROP TABLE orders;--",
        '"quoted"', "😀" * 3, "x" * 51, "x" * 129, "x" * 256, "x" * (MAX_TEXT_CHARS + 1),
    ]),
)
JSON_LEAVES = st.one_of(
    st.none(), st.booleans(), st.integers(), st.integers(min_value=2**63 - 2, max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False), HOSTILE_TEXT,
)
JSON_VALUES = st.recursive(
    JSON_LEAVES,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(HOSTILE_TEXT, children, max_size=4),
    max_leaves=12,
)
OFFSETS = st.sampled_from([UTC, timezone(timedelta(hours=5, minutes=30)), timezone(timedelta(hours=-8))])
TIMESTAMPS = st.datetimes(
    min_value=datetime(1970, 1, 2), max_value=datetime(9999, 12, 30), timezones=OFFSETS
).map(lambda d: d.isoformat())


def _from_schema(schema: dict[str, Any], defs: dict[str, Any]) -> st.SearchStrategy[Any]:
    """JSON values a (pydantic-generated) JSON Schema admits: the subset our contracts use."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return st.deferred(lambda: _from_schema(defs[name], defs))
    if "anyOf" in schema:
        return st.one_of([_from_schema(option, defs) for option in schema["anyOf"]])
    if "const" in schema:
        return st.just(schema["const"])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    kind = schema.get("type")
    if kind == "string":
        if schema.get("format") == "date-time":
            return TIMESTAMPS
        if "pattern" in schema:
            return st.from_regex(schema["pattern"], fullmatch=True)
        return st.text(STORABLE, min_size=schema.get("minLength", 0), max_size=min(schema.get("maxLength", 20), 20))
    if kind == "integer":
        return st.integers(min_value=schema.get("minimum"), max_value=schema.get("maximum"))
    if kind == "number":
        return st.floats(allow_nan=False, allow_infinity=False)
    if kind == "boolean":
        return st.booleans()
    if kind == "null":
        return st.none()
    if kind == "array":
        return st.lists(_from_schema(schema.get("items", {}), defs), min_size=schema.get("minItems", 0),
                        max_size=max(schema.get("minItems", 0), 3))
    if kind == "object":
        properties = schema.get("properties")
        if not properties:  # free-form details: storable JSON
            leaves = st.one_of(st.none(), st.booleans(), st.integers(), st.text(STORABLE, max_size=10))
            return st.dictionaries(st.text(STORABLE, max_size=8), leaves, max_size=3)
        required = set(schema.get("required", ()))
        return st.fixed_dictionaries(
            {name: _from_schema(sub, defs) for name, sub in properties.items() if name in required},
            optional={name: _from_schema(sub, defs) for name, sub in properties.items() if name not in required},
        )
    return JSON_VALUES  # {} (Any)


@cache
def _data_of(event_type: str) -> st.SearchStrategy[Any]:
    schema = EVENT_MODELS[event_type].model_json_schema()
    return _from_schema(schema, schema.get("$defs", {}))


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for key, item in value.items() for s in (*_strings(key), *_strings(item))]
    if isinstance(value, list | tuple):
        return [s for item in value for s in _strings(item)]
    return []


def _parse_or_refuse(raw: bytes) -> tuple[CloudEvent, BaseModel] | None:
    """What the consumer does first with a record: a model, or InvalidEvent with a reason for the DLQ."""
    try:
        event, data = parse_event(raw)
    except InvalidEvent as refused:
        assert refused.reason.strip(), "a refusal must say why"
        return None
    for text in _strings(data.model_dump(mode="json")):
        assert unstorable(text) is None, text
        assert len(text) <= MAX_TEXT_CHARS
    data.model_dump_json()  # and what a consumer would write out again can be written
    return event, data


@pytest.mark.parametrize("event_type", EVENT_TYPES)
@PROPERTIES
@given(data=st.data())
def test_a_valid_event_survives_the_envelope_to_bytes_and_back(event_type: str, data: st.DataObject) -> None:
    model = EVENT_MODELS[event_type]
    try:
        instance = model.model_validate(data.draw(_data_of(event_type)))
    except ValidationError:
        assume(False)  # a combination a cross-field rule refuses (an FBT order picked by the WMS, …)
        raise
    event = new_event(instance, source="tests/properties")

    parsed_event, parsed = parse_event(event.to_bytes(), expected_types={event_type})

    assert parsed == instance
    assert parsed_event == event
    assert parsed_event.to_bytes() == event.to_bytes()


@PROPERTIES
@given(raw=st.binary(max_size=512))
def test_arbitrary_bytes_give_a_model_or_a_reason_for_the_dlq(raw: bytes) -> None:
    _parse_or_refuse(raw)


@PROPERTIES
@given(value=JSON_VALUES)
def test_arbitrary_json_gives_a_model_or_a_reason_for_the_dlq(value: Any) -> None:
    _parse_or_refuse(json.dumps(value).encode())


@pytest.mark.parametrize("event_type", EVENT_TYPES)
@PROPERTIES
@given(data=st.data())
def test_an_envelope_whose_data_holds_anything_gives_a_model_or_a_reason(event_type: str, data: st.DataObject) -> None:
    """The attributes are right, the data's fields are the type's own names with anything in them: the
    parse reaches every validator, and each of them refuses cleanly."""
    model = EVENT_MODELS[event_type]
    names = sorted(model.model_fields)
    valid = data.draw(_data_of(event_type))
    hostile = data.draw(st.dictionaries(st.sampled_from(names), JSON_VALUES, max_size=len(names)))
    envelope: dict[str, Any] = {
        "specversion": "1.0", "id": data.draw(st.one_of(st.uuids().map(str), HOSTILE_TEXT)),
        "source": data.draw(st.one_of(st.just("erp/inventory"), HOSTILE_TEXT)), "type": event_type,
        "data": {**(valid if isinstance(valid, dict) else {}), **hostile},
    }
    extra = data.draw(st.dictionaries(st.sampled_from(["subject", "shopid", "time", "partitionkey"]), JSON_LEAVES))
    assert set(REQUIRED_ATTRIBUTES) <= set(envelope)
    _parse_or_refuse(json.dumps({**envelope, **extra}).encode())


@pytest.mark.parametrize(("field", "value", "says"), [
    ("seller_sku", "AB\x00C", "seller_sku: Value error, contains a NUL character (\\x00) at position 2"),
    ("seller_sku", "S" * 1_000_000, "seller_sku: String should have at most 50 characters"),
    ("seller_sku", "\ud800", "seller_sku: Input should be a valid string"),
    ("warehouse_id", "W\x00", "warehouse_id: Value error, contains a NUL character"),
])
def test_a_value_postgres_cannot_hold_is_refused_naming_the_field(field: str, value: str, says: str) -> None:
    """The examples the properties stand for, spelled out: the reason names the field, so the DLQ says it."""
    good = {"seller_sku": "TEE-1", "available": 3, "occurred_at": "2024-05-01T12:00:00Z"}
    raw = json.dumps({"specversion": "1.0", "id": "e-1", "source": "erp", "type": "InventoryChanged",
                      "data": {**good, field: value}}).encode()
    with pytest.raises(InvalidEvent) as refused:
        parse_event(raw)
    assert says in refused.value.reason
    assert len(refused.value.reason) < 1000  # the value is quoted cut short, not whole


def test_an_amount_beyond_what_the_columns_hold_is_refused_and_one_below_is_not() -> None:
    def parse(amount: str) -> Decimal:
        raw = json.dumps({"specversion": "1.0", "id": "p-1", "source": "erp", "type": "PriceChanged",
                          "data": {"seller_sku": "TEE-1", "amount": amount, "currency": "USD",
                                   "occurred_at": "2024-05-01T12:00:00Z"}}).encode()
        return parse_event(raw)[1].amount  # type: ignore[attr-defined,no-any-return]

    assert parse("999999999999.99") == Decimal("999999999999.99")
    with pytest.raises(InvalidEvent, match="amount: Input should be less than 1000000000000"):
        parse("1000000000000")
