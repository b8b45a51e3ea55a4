"""Template filters: times in UTC and how long ago, amounts, empty values shown as a dash."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from jinja2 import Environment

from libs.cli.shop_status import parse_time


def when(value: Any) -> str:
    """``2026-12-03 13:48:10 UTC``; a dash when there is no time."""
    at = parse_time(value)
    return f"{at.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC" if at else "—"


def ago(value: Any, *, now: datetime | None = None) -> str:
    """``42 s ago``, ``5 min ago``, ``3 h ago``, ``2 d ago``; ``in 5 min`` for a time to come."""
    at = parse_time(value)
    if at is None:
        return "—"
    seconds = ((now or datetime.now(UTC)) - at).total_seconds()
    later = seconds < 0
    seconds = abs(seconds)
    if seconds < 90:
        text = f"{seconds:.0f} s"
    elif seconds < 5400:
        text = f"{seconds / 60:.0f} min"
    elif seconds < 172_800:
        text = f"{seconds / 3600:.0f} h"
    else:
        text = f"{seconds / 86_400:.0f} d"
    return f"in {text}" if later else f"{text} ago"


def dash(value: Any) -> Any:
    return "—" if value in (None, "", [], {}) else value


def install(env: Environment) -> None:
    env.filters["when"] = when
    env.filters["ago"] = ago
    env.filters["dash"] = dash
