"""The short form of `make chaos` in `make test`: 60 s of mixed load while every service is killed with
``kill -9`` and restarted, PostgreSQL is paused and restarted, the broker is paused, TikTok storms 5xx,
429 and slow answers and expires the access tokens; then nothing may be lost or duplicated."""

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
        figures, info = asyncio.run(run(seed=7, duration_s=60, quiet_s=150, root=root))
    finally:
        shutil.rmtree(root, ignore_errors=True)
    text = report(figures, info)
    print(text)
    assert figures.ok, text
    assert figures.rows["orders placed"] > 50 and figures.rows["shipments sent by the WMS"] > 20, text
    assert len(info["faults"]) >= 11, text  # type: ignore[arg-type]
