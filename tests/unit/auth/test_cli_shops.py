"""`ttshop shops list/show/rotate-keys` against a fake auth admin API (R3, R6, audit)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner, Result

from libs.cli.client import CliState
from libs.cli.main import app
from libs.cli.shop_status import plain_status, token_expiry

NOW = datetime(2025, 1, 1, 12, 0, tzinfo=UTC)
REVOKED = "refresh token expired or revoked: reconnect the shop with a new auth code (ttshop shops connect)"


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TTSHOP_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("COLUMNS", "300")
    for name in ("AUTH_URL", "INTERNAL_API_TOKEN", "ADMIN_API_TOKEN"):
        monkeypatch.delenv(name, raising=False)


def _flat(text: str) -> str:
    return " ".join(re.sub(r"[│╭╮╰╯─┃━┏┓┗┛┡┩└┘┌┐├┤┬┴┼]", " ", text).split())


def _run(args: list[str], routes: dict[tuple[str, str], Any], seen: list[httpx.Request]) -> Result:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        body = routes.get((request.method, request.url.path))
        return httpx.Response(200, json=body) if body is not None else httpx.Response(404, json={})

    state = CliState(transport=httpx.MockTransport(handler), env={}, timeout_s=5)
    return CliRunner().invoke(app, args, obj=state)


def _shop(**extra: Any) -> dict[str, Any]:
    expires = datetime.now(UTC) + timedelta(days=6, hours=23, minutes=30)
    return {"shop_id": "7001", "name": "mugs", "region": "US", "tax_id": "T1", "status": "active",
            "status_reason": None, "warning": None, "access_token_expires_at": expires.isoformat(),
            "settings": {"allow_order_download": True}, **extra}


def test_list_shows_status_in_plain_words_with_reason_and_token_expiry() -> None:
    shops = [_shop(), _shop(shop_id="7002", name="cups", status="needs_reauthorization", status_reason=REVOKED)]
    seen: list[httpx.Request] = []
    result = _run(["shops", "list"], {("GET", "/shops"): {"shops": shops}}, seen)
    out = _flat(result.stdout)
    assert result.exit_code == 0, result.output
    assert f"needs re-authorisation: {REVOKED}" in out
    assert "needs_reauthorization" not in out
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC \(in 6d 2[23]h\)", out), out


def test_list_shows_a_warning_while_the_shop_is_still_active() -> None:
    shop = _shop(warning="authorisation ends 2025-01-03T12:00:00+00:00 (in 2.0 days): ask the seller …")
    result = _run(["shops", "list"], {("GET", "/shops"): {"shops": [shop]}}, [])
    assert "active (warning: authorisation ends 2025-01-03" in _flat(result.stdout)


def test_show_prints_the_audit_trail_as_time_action_outcome_detail() -> None:
    audit = [
        {"action": "refresh", "outcome": "needs_reauthorization", "at": "2025-01-02T08:30:05+00:00",
         "detail": {"reason": "seller gone", "error": "36004001"}},
        {"action": "connect", "outcome": "ok", "at": "2025-01-01T10:00:00+00:00",
         "detail": {"tax_id": "T1", "name": "mugs"}},
    ]
    shop = _shop(status="needs_reauthorization", status_reason="seller deauthorized the app on TikTok", audit=audit)
    seen: list[httpx.Request] = []
    result = _run(["shops", "show", "mugs"], {("GET", "/shops/mugs"): shop}, seen)
    out = _flat(result.stdout)
    assert result.exit_code == 0, result.output
    assert "status: needs re-authorisation: seller deauthorized the app on TikTok" in out
    assert "time (UTC) action outcome detail" in out
    assert "2025-01-02 08:30:05 refresh needs_reauthorization reason: seller gone; error: 36004001" in out
    assert "2025-01-01 10:00:00 connect ok tax_id: T1; name: mugs" in out
    assert out.index("2025-01-02 08:30:05") < out.index("2025-01-01 10:00:00")


def test_rotate_keys_calls_the_admin_endpoint_and_reports_counts() -> None:
    seen: list[httpx.Request] = []
    result = _run(["shops", "rotate-keys"], {("POST", "/admin/rotate-keys"): {"shops": 3, "secrets": 6}}, seen)
    assert result.exit_code == 0, result.output
    assert [(r.method, r.url.path) for r in seen] == [("POST", "/admin/rotate-keys")]
    assert "Re-encrypted 6 token(s) of 3 shop(s)" in _flat(result.stdout)
    as_json = _run(["--json", "shops", "rotate-keys"], {("POST", "/admin/rotate-keys"): {"shops": 3, "secrets": 6}}, [])
    assert json.loads(as_json.stdout) == {"shops": 3, "secrets": 6}


@pytest.mark.parametrize(
    ("shop", "words"),
    [
        ({"status": "active"}, "active"),
        ({"status": "disconnected", "status_reason": "disconnected by operator"}, "disconnected: disconnected by operator"),
        ({"status": "needs_reauthorization", "status_reason": "x"}, "needs re-authorisation: x"),
        ({"status": "needs_reauthorization"}, "needs re-authorisation"),
    ],
)
def test_plain_status(shop: dict[str, Any], words: str) -> None:
    assert plain_status(shop) == words


def test_token_expiry_counts_down_and_says_expired() -> None:
    assert token_expiry({"access_token_expires_at": "2025-01-01T13:30:00+00:00"}, now=NOW) == \
        "2025-01-01 13:30 UTC (in 1h 30m)"
    assert token_expiry({"access_token_expires_at": "2025-01-01T11:00:00+00:00"}, now=NOW).endswith("(expired)")
    assert token_expiry({}, now=NOW) == ""
