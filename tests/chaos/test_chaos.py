"""The short form of `make chaos` in `make test`: 60 s of mixed load (and an operator shipping by hand,
running range downloads and posting products through the CLI) while every service is killed with ``kill -9`` and restarted,
PostgreSQL is paused and restarted, the broker is paused, TikTok is down, storms 5xx, 429 and slow answers,
expires the access tokens and revokes a shop's (which the operator connects again); then nothing may be
lost or duplicated."""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from pathlib import Path

import pytest

from tests.chaos.__main__ import report, run

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]


def test_a_minute_of_chaos_loses_and_duplicates_nothing() -> None:
    root = Path(tempfile.mkdtemp(prefix="ttshop-chaos-"))
    try:
        figures, info = asyncio.run(run(seed=7, duration_s=60, quiet_s=240, root=root))
    finally:
        shutil.rmtree(root, ignore_errors=True)
    text = report(figures, info)
    print(text)
    assert figures.ok, text
    assert figures.rows["orders placed"] > 50 and figures.rows["shipments sent (WMS and by hand)"] > 20, text
    assert figures.rows["operator: orders shipped by hand (ttshop orders ship)"] > 0, text
    assert figures.rows["operator: range downloads (ttshop orders download)"] > 0, text
    assert str(figures.rows["operator: products posted (ttshop catalog products post)"]).startswith("10 of 10"), text
    faults = "\n".join(info["faults"])  # type: ignore[arg-type]
    for kind in ("kill", "pause broker", "pause postgres", "restart postgres", "down tiktok", "revoke webhook",
                 "revoke silent", "expire tokens"):
        assert f" {kind} " in faults, text
