"""R46: what TikTok is told a SKU has: the level less the shop's safety stock (N units, or P% rounded up),
and 0 at or below the out-of-stock threshold, never below 0."""

from __future__ import annotations

import pytest

from services.catalog.shops.domain import quantity_to_send


@pytest.mark.parametrize(("available", "buffer", "threshold", "sent"), [
    (10, "0", 0, 10),   # no buffer: the level itself
    (10, "3", 0, 7),    # hold back 3 units
    (2, "3", 0, 0),     # never below zero
    (10, "10%", 0, 9),  # 10 % of 10 = 1
    (11, "10%", 0, 9),  # 10 % of 11 = 1.1, rounded up to 2: the buffer never rounds down to nothing
    (1, "50%", 0, 0),
    (100, "100%", 0, 0),
    (10, "3", 7, 0),    # 7 left is at the threshold: sold out on TikTok
    (10, "2", 7, 8),    # 8 left is above it
    (0, "0", 0, 0),
])
def test_the_quantity_sent_is_the_level_less_the_buffer_and_zero_at_the_threshold(
    available: int, buffer: str, threshold: int, sent: int
) -> None:
    assert quantity_to_send(available, buffer=buffer, threshold=threshold) == sent
