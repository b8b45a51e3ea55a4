"""DESIGN.md: a stock/price change older than the last one applied for the SKU is ignored; within one
batch of changes the newest per (SKU, shop, warehouse) is the one stored (equal times: the later one)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

from services.catalog.sync.domain import InventoryLevel, LevelKey, PriceLevel, latest_per_key

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
KEY = LevelKey("RED-M", "S1", None)


def _level(key: LevelKey, available: int, at: datetime, event: str) -> InventoryLevel:
    return InventoryLevel(key, available, at, event)


def test_the_newest_change_per_key_wins_whatever_the_arrival_order() -> None:
    other = LevelKey("RED-M", None, None)  # every shop: a key of its own
    levels = [_level(KEY, 5, T0 + timedelta(seconds=2), "e1"), _level(KEY, 9, T0, "e2"),
              _level(other, 1, T0, "e3"), _level(KEY, 7, T0 + timedelta(seconds=1), "e4")]
    assert [(lv.key, lv.available) for lv in latest_per_key(levels)] == [(other, 1), (KEY, 5)]


def test_of_two_changes_at_the_same_instant_the_later_one_wins() -> None:
    assert [lv.event_id for lv in latest_per_key([_level(KEY, 1, T0, "first"), _level(KEY, 2, T0, "second")])] == [
        "second"]


def test_times_in_other_offsets_compare_as_instants() -> None:
    # 13:59 at +02:00 is 11:59 UTC: older than 12:00 UTC even though the wall clock reads later
    earlier = datetime(2024, 5, 1, 13, 59, tzinfo=timezone(timedelta(hours=2)))
    assert [lv.available for lv in latest_per_key([_level(KEY, 3, T0, "a"), _level(KEY, 4, earlier, "b")])] == [3]


def test_keys_come_out_sorted_so_concurrent_batches_lock_rows_in_one_order() -> None:
    keys = [LevelKey("B", "S2", "W1"), LevelKey("A", None, None), LevelKey("B", "S1", None), LevelKey("A", "S1", None)]
    levels = [PriceLevel(k, Decimal("1.00"), "USD", T0, str(i)) for i, k in enumerate(keys)]
    assert [lv.key for lv in latest_per_key(levels)] == [keys[1], keys[3], keys[2], keys[0]]


def test_describe_names_shop_and_warehouse_or_their_defaults() -> None:
    assert LevelKey("A").describe() == "SKU A (every shop, default warehouse)"
    assert LevelKey("A", "S", "W").describe() == "SKU A (S, W)"
