"""`ttshop` in scripts: piped tables are one row a line, tab-separated and never wrapped; a terminal still gets
a drawn table; --json prints JSON alone on stdout; exit codes are 0 ok, 1 refused or failed, 2 usage."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from rich.console import Console

from libs.cli import dlq, render
from libs.cli.infra import free_port
from libs.common.dlq import DeadLetter
from libs.common.status import package_version

from .conftest import FakeApi, invoke

#: Longer than any column rich would give it at 40 columns.
ORDER = "5787346152937472371-" + "9" * 40
ORDERS = {"orders": [
    {"order_id": ORDER, "shop_id": "S1", "status": "AWAITING_SHIPMENT", "channel": "TikTok Shop",
     "created_at": "2026-12-01T10:00:00Z", "totals": {"total": "19.99"}, "currency": "USD"},
    {"order_id": "O-2", "shop_id": "S1", "status": "IN_TRANSIT", "channel": "TikTok Shop",
     "created_at": "2026-12-01T09:00:00Z", "totals": {"total": "5.00"}, "currency": "USD"},
]}


def _orders(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json=ORDERS)


def test_a_piped_orders_list_is_one_row_a_line_tab_separated_with_ids_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "40")  # what would make rich fold the id
    result = invoke(["orders", "list", "--shop", "S1"], FakeApi(_orders))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "# 2 order(s)"
    assert lines[1].split("\t") == ["order id", "shop", "status", "shipping", "channel", "type", "created", "total"]
    assert len(lines) == 4 and all(line.count("\t") == 7 for line in lines[1:])
    [row] = [line for line in lines if ORDER in line]  # `| grep ORDER` finds exactly the order's row
    assert row.split("\t")[:3] == [ORDER, "S1", "AWAITING_SHIPMENT"] and row.endswith("\t19.99 USD")
    assert not set("│┃━─┏┓┗┛") & set(result.stdout)


def test_a_piped_cell_stays_on_its_line() -> None:
    body = {"order_id": "O1", "buyer_message": "line one\nline two\twith a tab", "lines": []}
    result = invoke(["orders", "show", "O1"], FakeApi(lambda r: httpx.Response(200, json=body)))
    assert result.exit_code == 0, result.output
    assert "buyer_message\tline one line two with a tab" in result.stdout.splitlines()


def test_a_terminal_still_gets_a_drawn_table(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(render, "console", Console(force_terminal=True, width=200, highlight=False))
    result = invoke(["orders", "list", "--shop", "S1"], FakeApi(_orders))
    assert result.exit_code == 0, result.output
    assert "┏" in result.stdout and "│" in result.stdout and "\t" not in result.stdout
    assert "2 order(s)" in result.stdout and ORDER in result.stdout


@pytest.mark.parametrize(("args", "body"), [
    (["orders", "list"], ORDERS),
    (["shops", "show", "S1"], {"shop_id": "S1", "status": "active", "settings": {"auto_post": True}}),
    (["jobs", "show", "J1"], {"id": "J1", "status": "done", "pages_done": 2}),
    (["catalog", "sync", "status"], {"shops": []}),
    (["shipments", "list", "--order", "O1"], [{"shipment_id": "W1"}]),
])
def test_json_prints_the_answer_alone_on_stdout(args: list[str], body: object) -> None:
    result = invoke(["--json", *args], FakeApi(lambda r: httpx.Response(200, json=body)))
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == body


def test_json_of_a_command_that_prints_text_is_json_too(tmp_path: Path) -> None:
    out = tmp_path / "products.csv"
    api = FakeApi(lambda r: httpx.Response(200, content=b"sku\nA\n"))
    result = invoke(["--json", "catalog", "products", "export", "--out", str(out)], api)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"file": str(out), "bytes": 6}


def test_exit_codes_are_0_ok_1_refused_or_failed_2_usage() -> None:
    assert invoke(["orders", "list"], FakeApi(_orders)).exit_code == 0
    refused = FakeApi(lambda r: httpx.Response(404, json={"error": {"code": "order_not_found", "message": "no"}}))
    assert invoke(["orders", "show", "O9"], refused).exit_code == 1
    nobody = f"http://127.0.0.1:{free_port()}"
    unreachable = invoke(["orders", "list"], env={"ORDERS_URL": nobody})
    assert unreachable.exit_code == 1 and "not reachable" in unreachable.stderr
    assert invoke(["orders", "list", "--no-such-option"], FakeApi(_orders)).exit_code == 2  # click's usage error
    assert invoke(["orders", "show"], FakeApi(_orders)).exit_code == 2  # a missing argument
    ours = invoke(["catalog", "products", "post", "SKU-1"], FakeApi(_orders))  # our own check: no --shop
    assert ours.exit_code == 2 and "--shop SHOP is required" in ours.stderr


def test_help_documents_the_exit_codes_and_version_is_the_package_version() -> None:
    shown = invoke(["--help"])
    assert shown.exit_code == 0
    text = " ".join(shown.stdout.split())
    assert "Exit codes: 0 ok; 1 refused or failed" in text and "2 usage (bad arguments)" in text
    version = invoke(["--version"])
    assert version.exit_code == 0 and version.stdout.strip() == f"ttshop {package_version()}"
    assert package_version()[0].isdigit()  # installed: the version from pyproject.toml


def test_dead_letters_as_json_and_the_exit_codes_of_a_replay(monkeypatch: pytest.MonkeyPatch) -> None:
    letter = DeadLetter("price.changed.dlq", 0, 12, b"SKU-1", b'{"id": "E1", "type": "PriceChanged"}',
                        {"x-dlq-reason": "schema: amount", "x-dlq-consumer-group": "ttshop-catalog"})

    async def read(bootstrap: str, topics: list[str], *, limit: int) -> list[DeadLetter]:
        return [letter]

    monkeypatch.setattr(dlq, "read_dead_letters", read)
    listed = invoke(["--json", "dlq", "list"])
    assert listed.exit_code == 0, listed.output
    [shown] = json.loads(listed.stdout)
    assert (shown["ref"], shown["event_id"], shown["reason"]) == ("price.changed.dlq:0:12", "E1", "schema: amount")
    assert invoke(["dlq", "replay"]).exit_code == 2  # nothing named
    assert invoke(["dlq", "replay", "price.changed:0:12"]).exit_code == 2  # not a dead letter's name
    missing = invoke(["dlq", "replay", "price.changed.dlq:0:99"])
    assert missing.exit_code == 1 and "no dead letter price.changed.dlq:0:99" in missing.stderr
