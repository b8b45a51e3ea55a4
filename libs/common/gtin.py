"""GS1 identifiers (UPC, EAN, GTIN, ISBN-13): the check digit, shared by the catalog's readiness rules (R36)
and the tools that make valid codes (the CLI's demo, the benchmarks)."""

from __future__ import annotations


def gs1_check_digit(body: str) -> int:
    """The GS1 mod-10 check digit for ``body`` (the code without its last digit); ISBN-13 uses the same."""
    total = sum(int(digit) * (3 if i % 2 == 0 else 1) for i, digit in enumerate(reversed(body)))
    return (10 - total % 10) % 10
