"""The range of a manual download (R11). Pure."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from libs.common.refusals import Invalid

DEFAULT_RANGE = timedelta(hours=24)


def resolve_range(from_: datetime | None, to: datetime | None, *, now: datetime) -> tuple[datetime, datetime]:
    """Default: the last 24 hours (up to now, inclusive). Naive datetimes are taken as UTC. Refuses an empty range."""
    end = _aware(to) if to is not None else now + timedelta(seconds=1)  # include orders of this second
    start = _aware(from_) if from_ is not None else end - DEFAULT_RANGE
    if start >= end:
        raise Invalid("invalid_range", f"'from' ({start.isoformat()}) must be before 'to' ({end.isoformat()})")
    return start, end


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
