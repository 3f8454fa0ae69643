"""SVG geometry for the room panel and the opinion map; templates draw it.

As in `surveys.followup.charts`: only coordinates here, no script, no inline style. Series
are told apart by the Okabe-Ito colours (classes in dialog/static/screens.css) *and* by form
(filled against outlined bars, a different marker shape per group), so nobody needs colour.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from surveys.followup.charts import Tick, nice_ticks

#: Marker shapes per opinion group, in group order (more groups cycle); "cross" = ungrouped.
SHAPES = ("circle", "square", "triangle", "diamond", "triangle-down")


@dataclass
class PairedBar:
    """One category: the room's bar (None when suppressed) and the population's bar."""

    label: str
    y: float
    room_width: float | None
    population_width: float | None
    #: Text at the end of the room bar (e.g. "fewer than 5" when suppressed).
    note: str = ""


@dataclass
class PairedBarChart:
    bars: list[PairedBar]
    ticks: list[Tick]
    width: int
    height: int
    left: int
    bar_height: int


def paired_bars(rows: Sequence[tuple[str, float | None, float | None, str]], format_tick,
                width: int = 360, bar_height: int = 10) -> PairedBarChart:
    """Bars for (label, room share, population share, note) rows on a 0..max share axis."""
    left, right, gap = 120, 16, 10
    top = max([s for _, r, p, _ in rows for s in (r, p) if s is not None] or [0.0])
    values = nice_ticks(0.0, max(top, 0.1), count=4)
    high = values[-1]

    def x(share: float) -> float:
        return share / high * (width - left - right)

    row_height = 2 * bar_height + gap
    bars = [PairedBar(label=label, y=8 + i * row_height,
                      room_width=x(room) if room is not None else None,
                      population_width=x(population) if population is not None else None,
                      note=note)
            for i, (label, room, population, note) in enumerate(rows)]
    height = 8 + len(rows) * row_height + 22
    ticks = [Tick(v, left + x(v), format_tick(v)) for v in values]
    return PairedBarChart(bars=bars, ticks=ticks, width=width, height=height, left=left,
                          bar_height=bar_height)


@dataclass
class Marker:
    """One participant on the opinion map."""

    x: float
    y: float
    #: Group id (0 = largest); None = not grouped (too few votes).
    group: int | None
    shape: str


@dataclass
class OpinionMap:
    markers: list[Marker]
    width: int
    height: int
    #: Where the axes cross (the centre of the PCA plane).
    origin: tuple[float, float]


def shape_of(group: int | None) -> str:
    """The marker shape for a group; ungrouped participants are small crosses."""
    return "cross" if group is None else SHAPES[group % len(SHAPES)]


def opinion_map(points: Sequence[tuple[float, float, int | None]], size: int = 360,
                margin: int = 16) -> OpinionMap:
    """Place (x, y, group) points in a square, the same scale on both axes, centre kept."""
    reach = max([abs(v) for x, y, _ in points for v in (x, y)] or [1.0]) or 1.0
    half = size / 2 - margin

    def place(v: float) -> float:
        return v / reach * half

    markers = [Marker(x=size / 2 + place(x), y=size / 2 - place(y), group=g, shape=shape_of(g))
               for x, y, g in points]
    return OpinionMap(markers=markers, width=size, height=size, origin=(size / 2, size / 2))
