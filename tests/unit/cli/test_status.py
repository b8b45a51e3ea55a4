"""`ttshop status` against fake admin APIs and fixed broker figures: one table with every part, a service that
is down in its row with the rest still printed and exit 1, and the lag arithmetic."""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from aiokafka import TopicPartition

from libs.cli import status as cli_status
from libs.cli.broker_figures import BrokerFigures, GroupLag, group_lag

from .conftest import FakeApi, invoke

PORTS = {8101: "auth", 8102: "catalog", 8103: "orders", 8104: "fulfillment"}
SHOPS = {"shops": [
    {"shop_id": "S1", "name": "Mugs", "status": "active"},
    {"shop_id": "S2", "name": "Tees", "status": "needs_reauthorization", "status_reason": "TikTok revoked the token"},
    {"shop_id": "S3", "name": "Gone", "status": "disconnected"},
]}
PARTS = {
    "orders": {"last_order_download": [{"shop_id": "S1", "at": "2026-12-02T10:00:00+00:00", "via": "webhook"}]},
    "catalog": {"last_inventory_push": [{"shop_id": "S1", "at": "2026-12-02T10:00:01+00:00"}]},
    "fulfillment": {"last_tracking_upload": []},
    "auth": {},
}
TOPICS = {"orders": ["shops.changed"], "catalog": ["inventory.changed", "shops.changed"],
          "fulfillment": ["orders.downloaded", "shipments.created"], "auth": []}


def _status(service: str) -> dict[str, Any]:
    return {"service": service, "version": "0.1.0", "ready": True, "topics": TOPICS[service],
            "consumer_group": f"ttshop-{service}" if TOPICS[service] else None,
            "outbox": {"backlog": 2 if service == "orders" else 0, "oldest_unsent_s": 1.5 if service == "orders" else None},
            **PARTS[service]}


def _api(down: Collection[str] = ()) -> FakeApi:
    def answer(request: httpx.Request) -> httpx.Response:
        service = PORTS[request.url.port or 0]
        if service in down:
            raise httpx.ConnectError("connection refused", request=request)
        if request.url.path == "/readyz":
            return httpx.Response(200, json={"status": "ready"})
        if request.url.path == "/status":
            return httpx.Response(200, json=_status(service))
        assert (service, request.url.path) == ("auth", "/shops")
        return httpx.Response(200, json=SHOPS)

    return FakeApi(answer)


@pytest.fixture
def broker(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Fixed broker figures; records what was asked."""
    asked: list[Any] = []

    async def read_figures(bootstrap: str, groups: dict[str, list[str]], dlq_topics: list[str], *,
                           only_committed: Sequence[str] = ()) -> BrokerFigures:
        asked.append((bootstrap, groups, list(only_committed)))
        return BrokerFigures(lag=[GroupLag("ttshop-fulfillment", "shipments.created", 7, 3, True)],
                             dlq={"orders.downloaded.dlq": 2, "shops.changed.dlq": 0})

    monkeypatch.setattr(cli_status, "read_figures", read_figures)
    return asked


def test_status_is_one_table_of_services_lag_dlq_shops_and_last_successes(broker: list[Any]) -> None:
    result = invoke(["status"], _api(), env={"KAFKA_BOOTSTRAP_SERVERS": "broker.test:9092"})
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[:2] == ["# ttshop status", "check\tsubject\tstate\tdetail"]
    rows = [tuple(line.split("\t")) for line in lines[2:]]
    assert [r for r in rows if r[0] == "service"] == [
        ("service", s, "ready", "version 0.1.0") for s in ("auth", "catalog", "orders", "fulfillment")]
    assert ("outbox", "orders", "2 unsent", "oldest 1.5 s") in rows and ("outbox", "auth", "0 unsent", "") in rows
    assert ("consumer lag", "ttshop-fulfillment shipments.created", "7", "3 partition(s)") in rows
    assert ("dlq", "orders.downloaded.dlq", "2", "`ttshop dlq list` shows them") in rows
    assert ("dlq", "shops.changed.dlq", "0", "") in rows
    assert ("re-authorisation", "S2", "needed", "needs re-authorisation: TikTok revoked the token") in rows
    downloads = {r[1]: r for r in rows if r[0] == "order download"}
    assert set(downloads) == {"S1", "S2"}  # the disconnected shop is left out
    assert downloads["S1"][2].startswith("2026-12-02 10:00:00 UTC (") and downloads["S1"][3] == "via webhook"
    assert downloads["S2"][2] == "never"
    assert [r[2] for r in rows if r[0] == "tracking upload"] == ["never", "never"]
    [(bootstrap, groups, unsure)] = broker
    assert bootstrap == "broker.test:9092" and unsure == []
    assert groups == {"ttshop-catalog": ["inventory.changed", "shops.changed"], "ttshop-orders": ["shops.changed"],
                      "ttshop-fulfillment": ["orders.downloaded", "shipments.created"]}


def test_a_service_that_is_down_is_said_so_the_rest_is_printed_and_it_exits_1(broker: list[Any]) -> None:
    result = invoke(["status"], _api(down={"catalog"}))
    assert result.exit_code == 1
    rows = [tuple(line.split("\t")) for line in result.stdout.splitlines()[2:]]
    [catalog] = [r for r in rows if r[:2] == ("service", "catalog")]
    assert catalog[2] == "down" and "catalog service not reachable at http://127.0.0.1:8102" in catalog[3]
    assert ("service", "orders", "ready", "version 0.1.0") in rows
    assert ("dlq", "orders.downloaded.dlq", "2", "`ttshop dlq list` shows them") in rows
    assert ("inventory push", "(every shop)", "unknown", "its service did not answer") in rows
    [(_, groups, unsure)] = broker  # its group is still looked at: the topics it has committed on
    assert unsure == ["ttshop-catalog"] and "inventory.changed" in groups["ttshop-catalog"]


def test_status_json_holds_the_same_figures(broker: list[Any]) -> None:
    result = invoke(["--json", "status"], _api(down={"auth"}))
    assert result.exit_code == 1
    body = json.loads(result.stdout)
    assert body["ok"] is False and [s["state"] for s in body["services"]] == ["down", "ready", "ready", "ready"]
    assert body["shops_needing_reauthorisation"] is None and "auth service not reachable" in body["shops_error"]
    assert body["dlq"] == [{"topic": "orders.downloaded.dlq", "records": 2}, {"topic": "shops.changed.dlq", "records": 0}]
    assert body["consumer_lag"] == [{"group": "ttshop-fulfillment", "topic": "shipments.created", "lag": 7,
                                     "partitions": 3, "committed": True}]


def test_an_unreachable_broker_is_a_row_and_a_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    async def unreachable(*args: Any, **kwargs: Any) -> BrokerFigures:
        raise OSError("connection refused")

    monkeypatch.setattr(cli_status, "read_figures", unreachable)
    result = invoke(["status"], _api(), env={"KAFKA_BOOTSTRAP_SERVERS": "broker.test:9092"})
    assert result.exit_code == 1
    assert "broker\tbroker.test:9092\tunreachable\tOSError: connection refused" in result.stdout.splitlines()


def test_lag_is_end_less_committed_and_everything_when_nothing_is_committed() -> None:
    tp0, tp1, other = TopicPartition("t", 0), TopicPartition("t", 1), TopicPartition("u", 0)
    ends, starts = {tp0: 10, tp1: 5, other: 9}, {tp0: 0, tp1: 2, other: 0}
    assert group_lag("g", "t", ends, starts, {tp0: 8, tp1: -1}) == GroupLag("g", "t", 2 + 3, 2, True)
    assert group_lag("g", "t", ends, starts, {}) == GroupLag("g", "t", 13, 2, False)
    assert group_lag("g", "t", ends, starts, {tp0: 10, tp1: 5}).lag == 0


def test_times_are_shown_in_utc_with_their_age() -> None:
    now = datetime(2026, 12, 2, 11, 5, 3, tzinfo=UTC)
    assert cli_status.when("2026-12-02T10:00:00+00:00", now) == "2026-12-02 10:00:00 UTC (1h 5m ago)"
    assert cli_status.when("2026-12-02T11:04:00Z", now) == "2026-12-02 11:04:00 UTC (1m 3s ago)"
    assert cli_status.when(None, now) == "never"
