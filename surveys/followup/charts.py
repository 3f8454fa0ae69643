"""Indicator charts as plain SVG geometry: a trend over waves and estimates by group.

Only coordinates are computed here; the templates draw them with a title, a description
and the same numbers in a table beside them. No script and no inline style (the CSP
forbids both); colours come from classes in the style sheet, a palette that colour-blind
readers can tell apart (Okabe and Ito), and every series also differs by marker shape.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass
class Point:
    """One estimate: its label, value and interval, and where they are drawn.

    `at` is the position along the category axis (waves, groups); `pos`, `pos_low` and
    `pos_high` along the value axis (None when there is no value to draw).
    """

    label: str
    value: float | None
    low: float | None
    high: float | None
    at: float = 0.0
    pos: float | None = None
    pos_low: float | None = None
    pos_high: float | None = None

    def place(self, scale) -> None:
        """Put the value and interval on the value axis with `scale`."""
        if self.value is None:
            return
        self.pos = scale(self.value)
        self.pos_low = scale(self.low) if self.low is not None else None
        self.pos_high = scale(self.high) if self.high is not None else None


@dataclass
class Tick:
    value: float
    position: float
    label: str


@dataclass
class TrendChart:
    """Waves along x, the value with its interval along y, and an optional target line."""

    points: list[Point]
    ticks: list[Tick]
    width: int
    height: int
    left: int
    bottom: float
    target_y: float | None = None
    line: str = ""


@dataclass
class GroupChart:
    """One row per group: a dot for the estimate and a whisker for its interval."""

    rows: list[Point]
    ticks: list[Tick]
    width: int
    height: int
    left: int
    row_height: int
    zero_x: float | None = None
    overall_x: float | None = None


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering [low, high] (about `count` of them)."""
    if not math.isfinite(low) or not math.isfinite(high):
        return [0.0, 1.0]
    if high <= low:
        high = low + (abs(low) or 1.0)
    raw = (high - low) / max(count - 1, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first = math.floor(low / step) * step
    ticks = []
    value = first
    while value <= high + step * 1e-9:
        ticks.append(round(value, 10))
        value += step
    if ticks[-1] < high:
        ticks.append(round(ticks[-1] + step, 10))
    return ticks


def _extent(points: list[Point], extra: list[float | None], floor: float | None,
            ceiling: float | None) -> tuple[float, float]:
    values = [v for p in points for v in (p.low, p.high, p.value) if v is not None]
    values += [v for v in extra if v is not None]
    if not values:
        return (0.0, 1.0)
    low, high = min(values), max(values)
    pad = (high - low) * 0.1 or abs(high) * 0.1 or 1.0
    low, high = low - pad, high + pad
    if floor is not None:
        low = max(low, floor)
    if ceiling is not None:
        high = min(high, ceiling)
    return low, high


def trend(points: list[Point], format_tick, target: float | None = None,
          floor: float | None = None, ceiling: float | None = None,
          width: int = 360, height: int = 200) -> TrendChart:
    """Place the waves' points; `format_tick` turns a value into an axis label."""
    left, top, bottom = 52, 12, height - 28
    low, high = _extent(points, [target], floor, ceiling)
    values = nice_ticks(low, high)
    low, high = values[0], values[-1]

    def y(v: float) -> float:
        return bottom - (v - low) / (high - low) * (bottom - top)

    step = (width - left - 24) / max(len(points) - 1, 1)
    for i, point in enumerate(points):
        point.at = left + 12 + (i * step if len(points) > 1 else (width - left - 24) / 2)
        point.place(y)
    drawn = [p for p in points if p.pos is not None]
    line = " ".join(f"{p.at:.1f},{p.pos:.1f}" for p in drawn) if len(drawn) > 1 else ""
    return TrendChart(points=points, ticks=[Tick(v, y(v), format_tick(v)) for v in values],
                      width=width, height=height, left=left, bottom=bottom,
                      target_y=y(target) if target is not None else None, line=line)


def by_group(rows: list[Point], format_tick, overall: float | None = None,
             floor: float | None = None, ceiling: float | None = None, zero: bool = False,
             width: int = 360, row_height: int = 26) -> GroupChart:
    """Place each group's dot and whisker on a shared horizontal axis."""
    left, right = 128, 16
    low, high = _extent(rows, [overall, 0.0 if zero else None], floor, ceiling)
    values = nice_ticks(low, high, count=4)
    low, high = values[0], values[-1]

    def x(v: float) -> float:
        return left + (v - low) / (high - low) * (width - left - right)

    for i, row in enumerate(rows):
        row.at = 10 + i * row_height + row_height / 2
        row.place(x)
    height = 10 + len(rows) * row_height + 24
    return GroupChart(rows=rows, ticks=[Tick(v, x(v), format_tick(v)) for v in values],
                      width=width, height=height, left=left, row_height=row_height,
                      zero_x=x(0.0) if zero and low <= 0 <= high else None,
                      overall_x=x(overall) if overall is not None else None)
