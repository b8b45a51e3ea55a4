"""The CloudEvents 1.0 envelope (JSON structured mode) every message travels in."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any, Literal
from uuid import uuid4

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from libs.common.limits import Identifier, IdentifierText, Name, NonEmptyName

#: Kafka ``content-type`` header for structured-mode CloudEvents (CloudEvents Kafka binding).
CLOUDEVENTS_CONTENT_TYPE = "application/cloudevents+json; charset=UTF-8"
#: Attributes a message on the wire must carry (CloudEvents 1.0 requires ``specversion``, ``id``, ``source``
#: and ``type``; our contracts always carry ``data``). They have defaults when *we* build an event, but a
#: received message without them is invalid rather than silently completed. ``time`` is optional, as the
#: specification says: we always send it, and consumers order changes by the data's own ``occurred_at``.
REQUIRED_ATTRIBUTES = ("specversion", "id", "source", "type", "data")

_ATTRIBUTE_NAME = re.compile(r"^[a-z0-9]+$")


def _new_id() -> str:
    return str(uuid4())


def _now() -> datetime:
    return datetime.now(UTC)


class CloudEvent(BaseModel):
    """One event. ``id`` is unique per event and is the consumers' idempotency key.

    Extension attributes other than ``shopid`` are allowed (CloudEvents permits them) and
    kept; their names must be lowercase letters and digits, as the specification requires.
    """

    model_config = ConfigDict(extra="allow")

    specversion: Literal["1.0"] = Field(default="1.0", description="CloudEvents version.")
    id: Identifier = Field(
        default_factory=_new_id,
        description="Unique per event; consumers use it to process each event once.",
        examples=["0b6f2a7e-6d1c-4f4b-9a53-5d1f1c7c2e10"],
    )
    source: NonEmptyName = Field(
        description="Who produced the event.", examples=["ttshop/orders", "erp/inventory"]
    )
    type: NonEmptyName = Field(
        description="Event type; selects the data schema.", examples=["OrderDownloaded"]
    )
    time: AwareDatetime | None = Field(
        default_factory=_now,
        description="When the event happened (RFC 3339, with Z or an offset). Optional, as in CloudEvents 1.0: "
                    "an event without it is accepted; ordering uses the data's own time (`occurred_at`).",
        examples=["2024-05-01T12:00:00Z"],
    )
    subject: Name | None = Field(
        default=None,
        description="What the event is about; by default the value of the Kafka key field.",
        examples=["576486316948490001"],
    )
    datacontenttype: str = Field(
        default="application/json",
        pattern=r"^application/json(\s*;.*)?$",
        description="Always JSON.",
    )
    shopid: IdentifierText | None = Field(
        default=None,
        description="Extension attribute: the TikTok shop id the event concerns, when it concerns one.",
        examples=["7494049642642441621"],
    )
    data: dict[str, Any] = Field(description="The event data; its schema depends on `type`.")

    @model_validator(mode="after")
    def _extension_names_are_valid(self) -> CloudEvent:
        for name in self.model_extra or {}:
            if not _ATTRIBUTE_NAME.match(name):
                raise ValueError(
                    f"attribute name {name!r} is not allowed: CloudEvents attribute names are "
                    "lowercase letters and digits only"
                )
        return self

    def to_bytes(self) -> bytes:
        """Compact UTF-8 JSON. Absent optional attributes are left out, not sent as null."""
        attributes = self.model_dump(mode="json", exclude_none=True)
        return json.dumps(attributes, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
