"""The weight histogram as plain SVG geometry (no script, no inline style: the CSP forbids both)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Bar:
    """One bin: its weight range, its count and its rectangle in the SVG's coordinates."""

    low: float
    high: float
    count: int
    x: float
    y: float
    width: float
    height: float


@dataclass
class Histogram:
    """Bars in a `width` x `height` viewBox, with room for axis labels below."""

    bars: list[Bar]
    width: int
    height: int
    plot_height: int
    max_count: int


def histogram(counts: list[int], edges: list[float], width: int = 320, height: int = 180,
              margin: int = 24) -> Histogram:
    """Bars scaled to the largest count; an empty histogram when there are no counts."""
    plot_height = height - margin
    top = max(counts) if counts else 0
    bars = []
    step = width / len(counts) if counts else 0
    for i, count in enumerate(counts):
        h = plot_height * count / top if top else 0
        bars.append(Bar(low=edges[i], high=edges[i + 1], count=int(count), x=i * step + 0.5,
                        y=plot_height - h, width=max(step - 1, 0.5), height=h))
    return Histogram(bars=bars, width=width, height=height, plot_height=plot_height,
                     max_count=int(top))
