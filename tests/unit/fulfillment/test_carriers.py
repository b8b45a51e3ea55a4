"""Carrier -> TikTok shipping provider, retry timing, and "TikTok already has our tracking"."""

from __future__ import annotations

from libs.common.leased_queue import retry_delay_s
from services.fulfillment.tiktok import pick_warehouse
from services.fulfillment.uploads.domain import (
    ShippingProvider,
    match_carrier,
    merge_providers,
    tracking_matches,
    unknown_carrier_message,
)

PROVIDERS = merge_providers([
    ("opt1", "661", "USPS"),
    ("opt1", "662", "UPS"),
    ("opt2", "662", "UPS"),
    ("opt1", "663", "FedEx Ground"),
])


def test_providers_are_merged_across_delivery_options() -> None:
    ups = next(p for p in PROVIDERS if p.provider_id == "662")
    assert ups.delivery_option_ids == ("opt1", "opt2")
    assert len(PROVIDERS) == 3


def test_names_match_case_insensitively_ignoring_extra_spaces() -> None:
    assert match_carrier("ups", PROVIDERS) == ShippingProvider("662", "UPS", ("opt1", "opt2"))
    assert match_carrier("  fedex   ground ", PROVIDERS) is not None
    assert match_carrier("FedEx", PROVIDERS) is None  # no fuzzy guessing between carriers


def test_a_known_provider_id_is_used_as_is() -> None:
    found = match_carrier("661", PROVIDERS)
    assert found is not None and found.name == "USPS"


def test_an_unknown_numeric_carrier_is_not_matched() -> None:
    assert match_carrier("999", PROVIDERS) is None


def test_unknown_carrier_message_lists_the_known_ones() -> None:
    text = unknown_carrier_message("Royal Mail", "S1", PROVIDERS)
    assert text == "unknown carrier 'Royal Mail' for shop S1; known: FedEx Ground (663), UPS (662), USPS (661)"


def test_retry_delay_doubles_and_is_capped() -> None:
    delays = [retry_delay_s(n, initial_s=2, max_s=60) for n in range(1, 8)]
    assert delays == [2, 4, 8, 16, 32, 60, 60]
    assert retry_delay_s(10_000, initial_s=2, max_s=60) == 60


def test_tracking_matches_only_when_tiktok_holds_our_number_on_all_our_items() -> None:
    items = [
        {"id": "a", "tracking_number": "1Z", "package_id": "P1"},
        {"id": "b", "tracking_number": "1Z", "package_id": "P1"},
        {"id": "c", "tracking_number": "OTHER", "package_id": "P2"},
        {"id": "d", "tracking_number": "", "package_id": ""},
    ]
    assert tracking_matches("1Z", ["a", "b"], items) == "P1"
    assert tracking_matches("1Z", ["a", "c"], items) is None
    assert tracking_matches("1Z", ["d"], items) is None
    assert tracking_matches("1Z", ["missing"], items) is None


def test_warehouse_choice_prefers_the_default_sales_warehouse() -> None:
    warehouses = [
        {"id": "R", "type": "RETURN_WAREHOUSE", "is_default": True},
        {"id": "A", "type": "SALES_WAREHOUSE", "is_default": False},
        {"id": "B", "type": "SALES_WAREHOUSE", "is_default": True},
    ]
    assert pick_warehouse(warehouses) == warehouses[2]
    assert pick_warehouse(warehouses[:2]) == warehouses[1]
    assert pick_warehouse([warehouses[0]]) is None
