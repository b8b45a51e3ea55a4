"""The lag chart of the sync page: samples of each shop's and kind's lag kept in memory for the last hour
(what this console process saw since it started), and the chart drawn from them as SVG polyline points."""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

#: How far back the chart goes.
WINDOW_S = 3600.0
#: The chart's drawing area, in SVG user units (the axis labels sit outside it, see CHART_* below).
PLOT_W, PLOT_H = 300.0, 70.0
LEFT, TOP, BOTTOM = 44.0, 8.0, 16.0
CHART_W, CHART_H = LEFT + PLOT_W + 6.0, TOP + PLOT_H + BOTTOM


@dataclass
class LagHistory:
    """(time, lag in seconds) per (shop, kind), at most ``window_s`` old; times are Unix seconds."""

    window_s: float = WINDOW_S
    started_at: float = field(default_factory=time.time)
    last_sample_at: float | None = None
    last_error: str | None = None
    _points: dict[tuple[str, str], deque[tuple[float, float]]] = field(default_factory=dict)

    def due(self, at: float, every_s: float) -> bool:
        """True when no sample was taken in the last ``every_s`` (a page load may then take one)."""
        return self.last_sample_at is None or at - self.last_sample_at >= every_s

    def record(self, at: float, rows: Iterable[dict[str, Any]]) -> None:
        """One sample: the lag of every (shop, kind) the sync status answered at ``at``."""
        for row in rows:
            key = (str(row.get("shop_id", "")), str(row.get("kind", "")))
            self._points.setdefault(key, deque()).append((at, float(row.get("lag_s") or 0.0)))
        self.last_sample_at, self.last_error = at, None
        self.prune(at)

    def prune(self, now: float) -> None:
        oldest = now - self.window_s
        for key in list(self._points):
            points = self._points[key]
            while points and points[0][0] < oldest:
                points.popleft()
            if not points:
                del self._points[key]

    def series(self, shop_id: str, kind: str, now: float) -> list[tuple[float, float]]:
        return [(at, lag) for at, lag in self._points.get((shop_id, kind), ()) if at >= now - self.window_s]


@dataclass(frozen=True)
class Line:
    kind: str
    points: str
    samples: int
    #: Where the newest sample is drawn (marked with a dot, so a single or a flat-zero line shows).
    last: tuple[float, float]


@dataclass(frozen=True)
class Chart:
    lines: list[Line]
    top_label: str
    samples: int
    width: float = CHART_W
    height: float = CHART_H
    plot: tuple[float, float, float, float] = (LEFT, TOP, PLOT_W, PLOT_H)


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 5 × 10ⁿ at least ``value`` (at least 1 s): the chart's top."""
    if value <= 1.0:
        return 1.0
    power = 10.0 ** math.floor(math.log10(value))
    return float(next(step * power for step in (1, 2, 5, 10) if step * power >= value))


def seconds_label(value: float) -> str:
    if value >= 3600:
        return f"{value / 3600:g} h"
    if value >= 60:
        return f"{value / 60:g} min"
    return f"{value:g} s"


def chart(series: dict[str, list[tuple[float, float]]], now: float, window_s: float = WINDOW_S) -> Chart:
    """Each kind's lag over the last ``window_s`` as polyline points: time left to right ending at ``now``,
    lag bottom (0) to top (the nice ceiling of the largest lag seen)."""
    top = nice_ceiling(max((lag for points in series.values() for _, lag in points), default=0.0))
    lines = []
    for kind, points in series.items():
        xy = [(round(LEFT + max(0.0, min(1.0, (at - (now - window_s)) / window_s)) * PLOT_W, 1),
               round(TOP + PLOT_H - min(lag, top) / top * PLOT_H, 1)) for at, lag in points]
        if len(xy) == 1:  # one sample: a short flat stroke, so it shows
            xy.insert(0, (max(LEFT, xy[0][0] - 2), xy[0][1]))
        lines.append(Line(kind, " ".join(f"{x:.1f},{y:.1f}" for x, y in xy), len(points), xy[-1]))
    return Chart(lines=lines, top_label=seconds_label(top), samples=sum(line.samples for line in lines))


def shop_chart(history: LagHistory, shop_id: str, kinds: Iterable[str], now: float) -> Chart:
    """The chart of one shop: a line per kind it has samples of."""
    series = {kind: history.series(shop_id, kind, now) for kind in kinds}
    return chart({kind: points for kind, points in series.items() if points}, now, history.window_s)
