"""The whole system as separate processes, started exactly as `make run` starts it (`ttshop dev`)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.devstack import Stack, running_stack


@pytest.fixture(scope="session")
def stack() -> Iterator[Stack]:
    with running_stack() as running:
        yield running
