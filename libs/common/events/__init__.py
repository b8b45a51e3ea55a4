"""The event contract: CloudEvents envelope, one data model per event type, and the registry.

Publish with ``new_event(data, source=...)`` (through the outbox); consume with
``parse_event(raw, expected_types=TYPES_BY_TOPIC[topic])``, which raises ``InvalidEvent`` with
a reason fit for the dead-letter queue. ``python -m libs.common.events.asyncapi`` regenerates
``deploy/asyncapi.json`` and ``deploy/schemas/`` after a contract change.
"""

from libs.common.events.base import EventData, NonNegativeMoney
from libs.common.events.catalog import (
    ListingError,
    ListingFailed,
    ListingPosted,
    ListingUpdated,
    ProductReady,
)
from libs.common.events.envelope import CLOUDEVENTS_CONTENT_TYPE, CloudEvent
from libs.common.events.inventory import InventoryChanged, PriceChanged
from libs.common.events.orders import (
    FBT_SUBTYPE,
    CancellationDetected,
    CancelledLine,
    OrderDownloaded,
    OrderLine,
    OrderStatusChanged,
    OrderTotals,
    Recipient,
    Tracking,
)
from libs.common.events.registry import (
    EVENT_MODELS,
    TOPICS,
    TYPES_BY_TOPIC,
    InvalidEvent,
    dlq_topic,
    event_key,
    new_event,
    parse_event,
    topic_for,
)
from libs.common.events.shipments import ShipmentCreated, ShipmentLine
from libs.common.events.shops import (
    DEFAULT_IDENTIFIER_PRIORITY,
    ShopConnected,
    ShopDisconnected,
    ShopSettingsChanged,
    ShopSwitches,
)

__all__ = [
    "CLOUDEVENTS_CONTENT_TYPE",
    "DEFAULT_IDENTIFIER_PRIORITY",
    "EVENT_MODELS",
    "FBT_SUBTYPE",
    "TOPICS",
    "TYPES_BY_TOPIC",
    "CancellationDetected",
    "CancelledLine",
    "CloudEvent",
    "EventData",
    "InvalidEvent",
    "InventoryChanged",
    "ListingError",
    "ListingFailed",
    "ListingPosted",
    "ListingUpdated",
    "NonNegativeMoney",
    "OrderDownloaded",
    "OrderLine",
    "OrderStatusChanged",
    "OrderTotals",
    "PriceChanged",
    "ProductReady",
    "Recipient",
    "ShipmentCreated",
    "ShipmentLine",
    "ShopConnected",
    "ShopDisconnected",
    "ShopSettingsChanged",
    "ShopSwitches",
    "Tracking",
    "dlq_topic",
    "event_key",
    "new_event",
    "parse_event",
    "topic_for",
]
