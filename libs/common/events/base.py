"""Building blocks shared by every event contract: the data base class and the wire types.

Data models ignore unknown fields (``extra="ignore"``): the contract only ever grows, so a
consumer built against an older version must accept events from a newer producer. Unknown
fields are dropped when parsed, never an error.

Text fields are bounded (``libs.common.limits``): a SKU, an id, a name or a free text longer than its
limit, or holding a character PostgreSQL cannot store (NUL), makes the event invalid, so a consumer
sends it to the DLQ at once with a reason naming the field instead of failing in the database.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, ClassVar

from annotated_types import Ge, Lt
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    StringConstraints,
    WithJsonSchema,
)

from libs.common.limits import (
    MAX_MONEY,
    Identifier,
    IdentifierText,
    Name,
    NonEmptyName,
    NonEmptyText,
    Sku,
    Text,
    check_storable_json,
)

__all__ = [
    "Currency", "EventData", "Identifier", "IdentifierText", "Json", "Name", "NonEmptyName", "NonEmptyText",
    "NonNegativeMoney", "Part", "Sku", "Text", "Timestamp",
]


def _decimal_to_str(value: Decimal) -> str:
    """Plain notation ("100", never "1E+2") so any consumer can read the amount."""
    return format(value, "f")


#: A money amount: a ``Decimal`` in Python, a decimal string on the wire (``"19.99"``), never
#: negative and below 10^12 (what the orders' ``numeric(14, 2)`` columns hold). Numbers are accepted on
#: input for leniency, but producers should send strings.
NonNegativeMoney = Annotated[
    Decimal,
    Ge(0),
    Lt(MAX_MONEY),
    PlainSerializer(_decimal_to_str, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "pattern": r"^\d+(\.\d+)?$", "format": "decimal"}),
]
#: Free-form JSON (kind-specific details, TikTok's audit reasons): no string in it may hold a NUL.
Json = Annotated[dict[str, Any], AfterValidator(check_storable_json)]
#: ISO 4217 currency code.
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
#: A timestamp with a time zone; naive datetimes are refused because they are ambiguous.
Timestamp = AwareDatetime


class Part(BaseModel):
    """A nested structure inside event data (a line, an address, …)."""

    model_config = ConfigDict(extra="ignore")


class EventData(BaseModel):
    """The ``data`` of one event type. Subclasses set the three class variables."""

    model_config = ConfigDict(extra="ignore")

    #: The CloudEvents ``type`` attribute, e.g. ``"InventoryChanged"``.
    event_type: ClassVar[str]
    #: The Kafka topic the event is published on.
    topic: ClassVar[str]
    #: The data field whose value is the Kafka message key (and the default CloudEvents subject).
    key_field: ClassVar[str]

    def key(self) -> str:
        """The partition key: events with the same key stay in order."""
        value: Any = getattr(self, self.key_field)
        return str(value)


# Fields that recur across contracts, described once. Each call returns a fresh FieldInfo.
def shop_id_field() -> Any:
    return Field(description="TikTok shop id.", examples=["7494049642642441621"])


def seller_sku_field() -> Any:
    return Field(description="The seller's SKU (merchant SKU).", examples=["TSHIRT-RED-M"])


def order_id_field() -> Any:
    return Field(description="TikTok order id.", examples=["576486316948490001"])
