"""Shop state in plain words for `ttshop shops list/show` (R3): status with its reason, token expiry,
warnings, and the audit trail as time / action / outcome / detail."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

from . import render

_STATUS_WORDS = {
    "active": "active",
    "needs_reauthorization": "needs re-authorisation",
    "disconnected": "disconnected",
}


def plain_status(shop: Mapping[str, Any]) -> str:
    """``needs re-authorisation: <reason>``; an active shop with a warning says ``active (warning: …)``."""
    status = str(render.pick(shop, "status", default="unknown"))
    words = _STATUS_WORDS.get(status.lower(), status)
    reason = render.pick(shop, "status_reason", default=None)
    if reason and status.lower() != "active":
        words = f"{words}: {reason}"
    warning = render.pick(shop, "warning", default=None)
    if warning:
        words = f"{words} (warning: {warning})"
    return words


def parse_time(value: Any) -> datetime | None:
    """An answer's time (ISO text, a datetime or epoch seconds) in UTC when it has no zone; None if it is none."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0:
        return datetime.fromtimestamp(value, UTC)
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _left(seconds: float) -> str:
    if seconds <= 0:
        return "expired"
    days, rest = divmod(int(seconds), 86_400)
    hours, rest = divmod(rest, 3_600)
    if days:
        return f"in {days}d {hours}h"
    return f"in {hours}h {rest // 60}m" if hours else f"in {rest // 60}m {rest % 60}s"


def token_expiry(shop: Mapping[str, Any], *, now: datetime | None = None) -> str:
    """``2025-01-08 10:00 UTC (in 6d 23h)``; empty when the shop has no token."""
    at = parse_time(render.pick(shop, "access_token_expires_at", "token_expires_at", default=None))
    if at is None:
        return ""
    left = (at - (now or datetime.now(UTC))).total_seconds()
    return f"{at.astimezone(UTC):%Y-%m-%d %H:%M} UTC ({_left(left)})"


def _detail(detail: Any) -> str:
    if isinstance(detail, dict):
        return "; ".join(f"{k}: {render.text(v)}" for k, v in detail.items() if v not in (None, "", [], {}))
    return render.text(detail)


def audit_rows(audit: list[dict[str, Any]]) -> Iterator[tuple[str, str, str, str]]:
    """Newest first, as the service returns them."""
    for entry in audit:
        at = parse_time(render.pick(entry, "at", "time", default=None))
        when = f"{at.astimezone(UTC):%Y-%m-%d %H:%M:%S}" if at else render.text(render.pick(entry, "at"))
        yield when, render.text(entry.get("action")), render.text(entry.get("outcome")), _detail(entry.get("detail"))
