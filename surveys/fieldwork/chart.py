"""The response rate over time as an SVG line: RR1 day by day, a dashed line where a
letter or reminder went out. Plain geometry (no Flask); the page draws it from this and
keeps the day-by-day table beside it as the chart's text."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from surveys.fieldwork.figures import Day

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 28, 36


@dataclass(frozen=True)
class RateChart:
    """What the template draws, in the SVG's own coordinates."""

    width: int
    height: int
    #: "x,y x,y ..." of the RR1 line, one point per day.
    points: str
    #: (y, label) of the horizontal grid lines.
    y_ticks: list[tuple[float, str]]
    #: (x, label) of the first and the last day (and the middle one when there is room).
    x_ticks: list[tuple[float, str]]
    #: (x, label) of every mailing: a dashed vertical line.
    mailings: list[tuple[float, str]]
    left: int = LEFT
    right_edge: int = WIDTH - RIGHT
    top: int = TOP
    bottom_edge: int = HEIGHT - BOTTOM


def rate_chart(days: list[Day], percent: Callable[[float], str]) -> RateChart | None:
    """The chart of `days` (from `figures.over_time`), or None when there is nothing to draw."""
    if not days or all(d.rr1 is None for d in days):
        return None
    first, last = days[0].day.toordinal(), days[-1].day.toordinal()
    span = max(last - first, 1)

    def x(day) -> float:
        if last == first:
            return (LEFT + WIDTH - RIGHT) / 2
        return LEFT + (WIDTH - LEFT - RIGHT) * (day.toordinal() - first) / span

    top_rate = max(d.rr1 or 0 for d in days)
    step = 0.1 if top_rate > 0.3 else 0.05
    ceiling = max(step, math.ceil(top_rate / step - 1e-9) * step)

    def y(rate: float) -> float:
        return HEIGHT - BOTTOM - (HEIGHT - TOP - BOTTOM) * rate / ceiling

    points = " ".join(f"{x(d.day):.1f},{y(d.rr1 or 0):.1f}" for d in days)
    ticks = [round(k * step, 10) for k in range(int(round(ceiling / step)) + 1)]
    x_ticks = [(x(days[0].day), days[0].day.isoformat())]
    if last != first:
        x_ticks.append((x(days[-1].day), days[-1].day.isoformat()))
    mailings = [(x(d.day), label) for d in days for label in d.mailings]
    return RateChart(WIDTH, HEIGHT, points, [(y(t), percent(t)) for t in ticks], x_ticks,
                     mailings)
