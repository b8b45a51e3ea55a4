"""The CloudEvents envelope on the wire."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from libs.common.events import CloudEvent


def test_defaults_are_a_fresh_uuid_and_utc_now() -> None:
    first = CloudEvent(source="ttshop/orders", type="OrderDownloaded", data={})
    second = CloudEvent(source="ttshop/orders", type="OrderDownloaded", data={})
    assert first.id != second.id
    assert uuid.UUID(first.id).version == 4
    assert first.time.utcoffset() == timedelta(0)
    assert abs(datetime.now(UTC) - first.time) < timedelta(seconds=5)


def test_to_bytes_is_compact_utf8_json_without_null_attributes() -> None:
    event = CloudEvent(
        id="e-1",
        source="ttshop/catalog",
        type="ProductReady",
        time=datetime(2024, 5, 1, 12, 0, tzinfo=UTC),
        data={"title": "Café", "parent_sku": None},
    )
    raw = event.to_bytes()
    assert b" " not in raw.replace(b"Caf\xc3\xa9", b"")
    assert "Café".encode() in raw
    assert json.loads(raw) == {
        "specversion": "1.0",
        "id": "e-1",
        "source": "ttshop/catalog",
        "type": "ProductReady",
        "time": "2024-05-01T12:00:00Z",
        "datacontenttype": "application/json",
        "data": {"title": "Café", "parent_sku": None},
    }


def test_time_keeps_its_offset() -> None:
    plus_two = timezone(timedelta(hours=2))
    event = CloudEvent(source="s", type="t", time=datetime(2024, 5, 1, 14, 0, tzinfo=plus_two), data={})
    assert json.loads(event.to_bytes())["time"] == "2024-05-01T14:00:00+02:00"


def test_extension_attributes_are_kept_and_must_be_lowercase() -> None:
    event = CloudEvent.model_validate(
        {"source": "s", "type": "t", "data": {}, "traceparent": "00-abc-def-01"}
    )
    assert json.loads(event.to_bytes())["traceparent"] == "00-abc-def-01"
    with pytest.raises(ValidationError, match="lowercase letters and digits"):
        CloudEvent.model_validate({"source": "s", "type": "t", "data": {}, "traceParent": "x"})


def test_required_attributes_cannot_be_empty() -> None:
    with pytest.raises(ValidationError, match="source"):
        CloudEvent(source="", type="t", data={})
    with pytest.raises(ValidationError, match="specversion"):
        CloudEvent.model_validate({"specversion": "0.3", "source": "s", "type": "t", "data": {}})
