"""Which event types exist, where they go, and how to build and parse them."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ValidationError

from libs.common.events.base import EventData
from libs.common.events.catalog import ListingFailed, ListingPosted, ListingUpdated, ProductReady
from libs.common.events.envelope import REQUIRED_ATTRIBUTES, CloudEvent
from libs.common.events.inventory import InventoryChanged, PriceChanged
from libs.common.events.orders import CancellationDetected, OrderDownloaded, OrderStatusChanged
from libs.common.events.shipments import ShipmentCreated
from libs.common.events.shops import ShopConnected, ShopDisconnected, ShopSettingsChanged

_MODELS: tuple[type[EventData], ...] = (
    InventoryChanged,
    PriceChanged,
    ProductReady,
    ListingPosted,
    ListingFailed,
    ListingUpdated,
    OrderDownloaded,
    CancellationDetected,
    OrderStatusChanged,
    ShipmentCreated,
    ShopConnected,
    ShopSettingsChanged,
    ShopDisconnected,
)

#: Event type (CloudEvents ``type``) -> data model.
EVENT_MODELS: dict[str, type[EventData]] = {model.event_type: model for model in _MODELS}
#: Every topic, in contract order (dead-letter topics excluded; see :func:`dlq_topic`).
TOPICS: list[str] = list(dict.fromkeys(model.topic for model in _MODELS))
#: Topic -> the event types published on it.
TYPES_BY_TOPIC: dict[str, frozenset[str]] = {
    topic: frozenset(m.event_type for m in _MODELS if m.topic == topic) for topic in TOPICS
}

_MAX_ERRORS = 3
_MAX_INPUT_CHARS = 60


class InvalidEvent(Exception):
    """A message that can never be processed; ``reason`` says why, for the DLQ and the operator."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def topic_for(event_type: str) -> str:
    """The topic an event type is published on."""
    try:
        return EVENT_MODELS[event_type].topic
    except KeyError:
        raise KeyError(f"unknown event type {event_type!r}; known: {', '.join(EVENT_MODELS)}") from None


def dlq_topic(topic: str) -> str:
    """The dead-letter topic of a topic."""
    return f"{topic}.dlq"


def new_event(
    data: BaseModel,
    *,
    source: str,
    subject: str | None = None,
    event_id: str | None = None,
    time: datetime | None = None,
) -> CloudEvent:
    """Wrap contract data in a CloudEvent: subject defaults to the key, shopid to ``data.shop_id``."""
    if not isinstance(data, EventData) or data.event_type not in EVENT_MODELS:
        raise TypeError(f"{type(data).__name__} is not an event contract registered in EVENT_MODELS")
    attributes: dict[str, Any] = {
        "source": source,
        "type": data.event_type,
        "subject": subject if subject is not None else data.key(),
        "shopid": getattr(data, "shop_id", None),
        "data": data.model_dump(mode="json"),
    }
    if event_id is not None:
        attributes["id"] = event_id
    if time is not None:
        attributes["time"] = time
    return CloudEvent(**attributes)


def event_key(event: CloudEvent) -> bytes:
    """The Kafka message key: the value of the type's key field in ``data``, UTF-8."""
    model = EVENT_MODELS.get(event.type)
    if model is None:
        raise InvalidEvent(f"unknown event type {event.type!r}")
    value = event.data.get(model.key_field)
    if value is None or value == "":
        raise InvalidEvent(f"{event.type} event {event.id} has no {model.key_field} to key it by")
    return str(value).encode("utf-8")


def parse_event(raw: bytes, *, expected_types: set[str] | None = None) -> tuple[CloudEvent, BaseModel]:
    """Parse and validate a message; raise :class:`InvalidEvent` saying exactly what is wrong.

    Unknown fields in ``data`` are ignored (the contract grows additively), so a newer
    producer never breaks an older consumer.
    """
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidEvent(f"message is not UTF-8 text: invalid byte at position {exc.start}") from None
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidEvent(
            f"message is not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None
    if not isinstance(obj, dict):
        raise InvalidEvent(f"message must be a JSON object (a CloudEvent), got {type(obj).__name__}")
    missing = [name for name in REQUIRED_ATTRIBUTES if name not in obj]
    if missing:
        raise InvalidEvent(f"not a CloudEvent: missing attribute(s) {', '.join(missing)}")
    try:
        event = CloudEvent.model_validate(obj)
    except ValidationError as exc:
        raise InvalidEvent(f"invalid CloudEvent attributes: {describe_errors(exc)}") from None
    model = EVENT_MODELS.get(event.type)
    if model is None:
        raise InvalidEvent(
            f"unknown event type {event.type!r} (event {event.id}); known: {', '.join(EVENT_MODELS)}"
        )
    if expected_types is not None and event.type not in expected_types:
        raise InvalidEvent(
            f"event type {event.type!r} (event {event.id}) is not expected on this topic; "
            f"expected: {', '.join(sorted(expected_types))}"
        )
    try:
        data = model.model_validate(event.data)
    except ValidationError as exc:
        raise InvalidEvent(
            f"invalid data for {event.type} (event {event.id}): {describe_errors(exc)}"
        ) from None
    data_shop = getattr(data, "shop_id", None)
    if event.shopid is not None and data_shop is not None and event.shopid != data_shop:
        raise InvalidEvent(
            f"event {event.id}: shopid attribute {event.shopid!r} differs from data.shop_id {data_shop!r}"
        )
    return event, data


def describe_errors(exc: ValidationError) -> str:
    """The first few validation errors as ``path: message (got value)``, short enough for a header."""
    errors = exc.errors(include_url=False)
    parts = []
    for error in errors[:_MAX_ERRORS]:
        path = ".".join(str(p) for p in error["loc"]) or "(whole object)"
        text = f"{path}: {error['msg']}"
        value = error.get("input")
        if error["type"] != "missing" and (value is None or isinstance(value, str | int | float | bool)):
            shown = repr(value)
            if len(shown) > _MAX_INPUT_CHARS:
                shown = shown[: _MAX_INPUT_CHARS - 1] + "…"
            text += f" (got {shown})"
        parts.append(text)
    if len(errors) > _MAX_ERRORS:
        parts.append(f"and {len(errors) - _MAX_ERRORS} more error(s)")
    return "; ".join(parts)
