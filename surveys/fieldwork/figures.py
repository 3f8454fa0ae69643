"""Outcome counts and rates by group, over time, and as published (Flask-free).

Input is one `Case` per sampled person; `aapor` does the counting and the rates.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from surveys.fieldwork.aapor import AAPOR_CODE, Outcome, Rates, count_codes, rates

#: Published tables merge strata with fewer sampled people than this into "other".
MIN_PUBLISHED = 10
OTHER = "other"


@dataclass(frozen=True)
class Case:
    """One sampled person as the figures see them: no name, no address, no code."""

    stratum: str
    language: str
    channel: str
    outcome: Outcome
    #: The day the response was completed (for the rate over time), if it was.
    completed_on: date | None = None


@dataclass(frozen=True)
class GroupFigures:
    """Sample size, cases per AAPOR code and the rates of one group."""

    label: str
    sampled: int
    counts: dict[str, int]
    rates: Rates


def group_figures(label: str, cases: list[Case], e: float | None = None) -> GroupFigures:
    counts = count_codes(c.outcome for c in cases)
    return GroupFigures(label, len(cases), counts, rates(counts, e))


def by(cases: Iterable[Case], key: Callable[[Case], str],
       e: float | None = None) -> list[GroupFigures]:
    """Figures per value of `key`, in the values' order."""
    groups: dict[str, list[Case]] = defaultdict(list)
    for case in cases:
        groups[key(case)].append(case)
    return [group_figures(label, groups[label], e) for label in sorted(groups)]


def by_channel(cases: list[Case], e: float | None = None) -> list[GroupFigures]:
    """Figures per channel of the responses (web, paper, interview) over the whole sample:
    a channel's completes and partials are its own, those through other channels count
    as other eligible non-interviews (O), so every channel's RR1 has the sample's
    denominator and the channels' RR1 add up to the overall RR1."""
    answered = sorted({c.channel for c in cases if c.outcome in (Outcome.complete,
                                                                  Outcome.partial)})
    elsewhere = Outcome.unable  # any outcome coded O
    figures = []
    for channel in answered:
        seen = [c if c.channel == channel or c.outcome not in (Outcome.complete,
                                                               Outcome.partial)
                else Case(c.stratum, c.language, c.channel, elsewhere) for c in cases]
        figures.append(group_figures(channel, seen, e))
    return figures


def published_strata(cases: list[Case], e: float | None = None) -> list[GroupFigures]:
    """Figures per stratum for the public: strata with fewer than `MIN_PUBLISHED` sampled
    people are merged into "other"; an "other" that is still too small is left out."""
    sizes: dict[str, int] = defaultdict(int)
    for case in cases:
        sizes[case.stratum] += 1
    small = {s for s, n in sizes.items() if n < MIN_PUBLISHED}
    figures = by(cases, lambda c: OTHER if c.stratum in small else c.stratum, e)
    return [f for f in figures if f.sampled >= MIN_PUBLISHED]


def lowest_rr1(figures: list[GroupFigures]) -> GroupFigures | None:
    """The group with the lowest RR1 (the one to worry about), if any has a rate."""
    rated = [f for f in figures if f.rates.rr1 is not None]
    return min(rated, key=lambda f: (f.rates.rr1, f.label)) if rated else None


@dataclass(frozen=True)
class Day:
    """How far the completes had come by the end of a day."""

    day: date
    completed: int
    #: Completes so far over today's RR1 denominator.
    rr1: float | None
    mailings: tuple[str, ...] = ()


def over_time(cases: list[Case], mailings: Iterable[tuple[date, str]]) -> list[Day]:
    """RR1 as it grew: one line per day on which something was completed or sent.

    The denominator is today's (every case whose eligibility is not ruled out), so the
    last line equals today's RR1.
    """
    denominator = sum(1 for c in cases if AAPOR_CODE[c.outcome] != "NE")
    completes: dict[date, int] = defaultdict(int)
    for case in cases:
        if case.completed_on is not None:
            completes[case.completed_on] += 1
    sent: dict[date, list[str]] = defaultdict(list)
    for day, what in mailings:
        sent[day].append(what)
    days, running = [], 0
    for day in sorted(set(completes) | set(sent)):
        running += completes.get(day, 0)
        days.append(Day(day, running, running / denominator if denominator else None,
                        tuple(sent.get(day, ()))))
    return days
