"""DESIGN.md: a stock/price change older than the last one applied for the SKU is ignored."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from services.catalog.sync.domain import LevelKey, stale_reason

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
KEY = LevelKey("RED-M", "S1", None)


def test_first_change_for_a_key_is_applied() -> None:
    assert stale_reason(KEY, applied_at=None, incoming_at=T0) is None


def test_newer_change_is_applied() -> None:
    assert stale_reason(KEY, applied_at=T0, incoming_at=T0 + timedelta(milliseconds=1)) is None


def test_older_change_is_ignored_with_a_reason_naming_both_times() -> None:
    reason = stale_reason(KEY, applied_at=T0, incoming_at=T0 - timedelta(seconds=5))
    assert reason == (
        "SKU RED-M (S1, default warehouse): change from 2024-05-01T11:59:55+00:00 is older than the one "
        "already applied (2024-05-01T12:00:00+00:00); ignored"
    )


def test_a_change_at_the_same_instant_is_applied() -> None:
    assert stale_reason(KEY, applied_at=T0, incoming_at=T0) is None


def test_times_in_other_offsets_compare_as_instants() -> None:
    # 13:59 at +02:00 is 11:59 UTC: older than 12:00 UTC even though the wall clock reads later
    incoming = datetime(2024, 5, 1, 13, 59, tzinfo=timezone(timedelta(hours=2)))
    assert stale_reason(KEY, applied_at=T0, incoming_at=incoming) is not None


def test_describe_names_shop_and_warehouse_or_their_defaults() -> None:
    assert LevelKey("A").describe() == "SKU A (every shop, default warehouse)"
    assert LevelKey("A", "S", "W").describe() == "SKU A (S, W)"
