"""Helpers for driving the `ttshop` CLI in-process against a fake admin API."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner, Result

from libs.cli.client import CliState
from libs.cli.main import app

Handler = Callable[[httpx.Request], httpx.Response]


def flat(text: str) -> str:
    """Output with rich's box drawing and line wrapping removed, for substring assertions."""
    return " ".join(re.sub(r"[│╭╮╰╯─┃━┏┓┗┛┡┩└┘┌┐├┤┬┴┼]", " ", text).split())


@dataclass
class FakeApi:
    """Records requests and answers them with ``handler``."""

    handler: Handler
    requests: list[httpx.Request] = field(default_factory=list)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.handler(request)

    def bodies(self) -> list[Any]:
        return [json.loads(r.content) if r.content else None for r in self.requests]


@pytest.fixture(autouse=True)
def _isolated_state(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads a developer's real .ttshop/dev.env or service URLs from the environment."""
    monkeypatch.setenv("TTSHOP_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("COLUMNS", "250")  # rich folds table cells at 80 columns otherwise
    for name in ("AUTH_URL", "CATALOG_URL", "ORDERS_URL", "FULFILLMENT_URL", "SANDBOX_URL", "INTERNAL_API_TOKEN", "ADMIN_API_TOKEN"):
        monkeypatch.delenv(name, raising=False)


def invoke(args: list[str], api: FakeApi | None = None, env: dict[str, str] | None = None) -> Result:
    transport = httpx.MockTransport(api) if api is not None else None
    state = CliState(transport=transport, env=env or {}, timeout_s=5)
    return CliRunner().invoke(app, args, obj=state)
