"""Hostile command-line arguments: quotes and SQL reach the service as one id and come back as a plain
not-found; a NUL, or a value longer than any the services keep, is a usage error naming the argument
(exit 2) before any request; nothing ends in a traceback."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import typer

from libs.cli.main import app

from .conftest import FakeApi, flat, invoke

SQL = "x'; DROP TABLE orders;--"


def _not_found(request: httpx.Request) -> httpx.Response:
    order = request.url.path.removeprefix("/orders/")
    return httpx.Response(404, json={"error": {"code": "order_not_found",
                                               "message": f"no order {order} has been downloaded"}})


def _never_called(request: httpx.Request) -> httpx.Response:
    raise AssertionError(f"no request expected, got {request.method} {request.url}")


def test_an_order_id_full_of_sql_is_one_path_segment_and_a_plain_not_found() -> None:
    api = FakeApi(_not_found)
    result = invoke(["orders", "show", SQL], api)
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit)  # no traceback
    assert f"Error: no order {SQL} has been downloaded (order_not_found)" in flat(result.stderr)
    [request] = api.requests
    assert request.url.raw_path == b"/orders/x%27%3B%20DROP%20TABLE%20orders%3B--"


@pytest.mark.parametrize(("order", "raw_path"), [
    ("../shops", b"/orders/..%2Fshops"),
    ("..", b"/orders/%2E%2E"),
    ("a?b#c", b"/orders/a%3Fb%23c"),
    ("\u202eRTL\u200f😀", b"/orders/%E2%80%AERTL%E2%80%8F%F0%9F%98%80"),
])
def test_an_id_never_reaches_another_endpoint(order: str, raw_path: bytes) -> None:
    api = FakeApi(_not_found)
    result = invoke(["orders", "show", order], api)
    assert result.exit_code == 1, result.output
    assert [r.url.raw_path for r in api.requests] == [raw_path]


@pytest.mark.parametrize(("args", "name", "says"), [
    (["orders", "show", "57648\x0063"], "'order'", "contains a NUL character (\\x00) at position 5"),
    (["orders", "show", "5" * 256], "'order'", "is 256 characters long; at most 255"),
    (["catalog", "products", "show", "S" * 1_000_000], "'sku'",
     "is 1,000,000 characters long; at most 50 (TikTok's limit for a seller SKU)"),
    (["catalog", "products", "show", "S" * 51], "'sku'", "at most 50"),
    (["orders", "list", "--shop", "SHOP\x00"], "'--shop'", "contains a NUL character"),
    (["orders", "cancel", "576486316948490001", "--reason", "r" * 65_537], "'--reason'", "at most 65,536"),
])
def test_a_nul_or_a_value_over_the_limit_is_a_usage_error_naming_it(args: list[str], name: str, says: str) -> None:
    api = FakeApi(_never_called)
    result = invoke(args, api)
    assert result.exit_code == 2, result.output
    out = flat(result.output)
    assert f"Invalid value for {name}:" in out and says in out
    assert api.requests == []


def _text_arguments(command: Any, path: list[str]) -> list[tuple[list[str], list[Any], Any]]:
    """(command path, its arguments, one text argument) for every text argument in the tree."""
    found = []
    for name, sub in (getattr(command, "commands", None) or {}).items():
        found += _text_arguments(sub, [*path, name])
    arguments = [p for p in command.params if p.param_type_name == "argument"]
    found += [(path, arguments, p) for p in arguments if p.type_descriptor.annotation is str]
    return found


@pytest.mark.parametrize(("path", "arguments", "param"), [
    pytest.param(path, arguments, param, id=" ".join([*path, param.name]))
    for path, arguments, param in _text_arguments(typer.main.get_command(app), [])
])
def test_every_text_argument_of_every_command_refuses_a_nul(path: list[str], arguments: list[Any], param: Any) -> None:
    """A command added later is covered too: the check sits on the whole tree, not on each command."""
    given = ["A\x00B" if p is param else "OK" for p in arguments]
    result = invoke([*path, *given], FakeApi(_never_called))
    assert result.exit_code == 2, result.output
    assert f"Invalid value for {param.get_error_hint()}: contains a NUL character" in flat(result.output)
