"""A clock a test sets by hand (``clock.now += 60``), for code that takes ``clock: Callable[[], float]``."""

from __future__ import annotations

import time


class FakeClock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now
