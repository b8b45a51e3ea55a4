"""What a log line carries where it is known: inside a consumer's handler the service, the event's id and
type, its shop and order; inside an admin request the service, the request's id (the caller's
``X-Request-ID`` or a new one, echoed) and the shop and order the path names."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import structlog
from fastapi import FastAPI

from libs.common import metrics
from libs.common.consumer import EventConsumer, Record
from libs.common.events import CancellationDetected, new_event
from libs.common.logging import configure_logging
from libs.common.request_id import install_request_id
from tests.support.fake_runtime import FakeConn, FakePool, FakePublisher
from tests.unit.common import test_logging

_logging_restored_afterwards = test_logging._logging_restored_afterwards  # autouse: pytest's stderr is closed later


@pytest.fixture(autouse=True)
def _service_unbound_afterwards() -> Iterator[None]:
    """The request middleware binds its service in the caller's context (ASGITransport runs the app in the test)."""
    yield
    metrics.bind_service("unknown")


def lines(capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    return [json.loads(line) for line in capsys.readouterr().err.splitlines() if line]


async def test_a_handlers_lines_carry_the_service_and_the_events_ids(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(service="fulfillment", json=True)
    data = CancellationDetected(shop_id="7001", order_id="576001", initiated_by="BUYER", applied=True,
                                detected_at=datetime.now(UTC))
    event = new_event(data, source="tests")

    async def handler(*_: Any) -> None:
        structlog.get_logger("handler").info("cancelling shipment")
        logging.getLogger("faststream.access.kafka").warning("a library's line inside the handler")

    consumer = EventConsumer(pool=FakePool(FakeConn()), publisher=FakePublisher(), group_id="g")  # type: ignore[arg-type]
    consumer.route(data.topic, [data.event_type], handler)
    await consumer.handle_record(Record(data.topic, event.to_bytes(), b"576001"))
    structlog.get_logger("after").info("after the handler")

    inside, library, after = lines(capsys)
    for line in (inside, library):
        assert line["service"] == "fulfillment" and line["event_id"] == event.id
        assert line["event_type"] == "CancellationDetected" and line["topic"] == data.topic
        assert line["shop_id"] == "7001" and line["order_id"] == "576001"
    assert after["service"] == "fulfillment" and "event_id" not in after and "order_id" not in after


def _app() -> FastAPI:
    app = FastAPI()
    install_request_id(app, "orders")

    @app.get("/shops/{shop_id}/orders-ish")
    @app.get("/orders/{order_id}")
    async def route() -> dict[str, str]:
        structlog.get_logger("api").info("answering")
        return {}

    return app


async def _get(path: str, **headers: str) -> httpx.Response:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=_app()), base_url="http://t") as http:
        return await http.get(path, headers=headers)


async def test_a_requests_lines_carry_its_id_and_the_ids_its_path_names(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(service="unset", json=True)
    given = await _get("/orders/576002", **{"X-Request-ID": "trace-abc.1"})
    new = await _get("/shops/7002/orders-ish")
    hostile = await _get("/orders/576003", **{"X-Request-ID": "x" * 200})
    structlog.get_logger("after").info("between requests")

    first, second, third, after = lines(capsys)
    assert given.headers["x-request-id"] == first["request_id"] == "trace-abc.1"
    assert first["order_id"] == "576002" and first["service"] == "orders"
    assert len(new.headers["x-request-id"]) == 32 and second["request_id"] == new.headers["x-request-id"]
    assert second["shop_id"] == "7002" and "order_id" not in second
    assert third["request_id"] == hostile.headers["x-request-id"] != "x" * 200
    assert "request_id" not in after and "order_id" not in after
