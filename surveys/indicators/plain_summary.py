"""What a focus area's figures say, for a plain-language summary: what improved, what
worsened, for whom, and how sure we are.

`area_findings` reads each indicator's follow-up (change since the previous wave, the
groups' changes, the gaps of the latest wave) and returns findings with codes; the web
layer puts them into words in the reader's language.

How sure: the tests the summary reads are adjusted with Benjamini–Hochberg, because a page
of "improved" and "worsened" drawn from dozens of tests would otherwise report chance as
change. The families: the changes of the area's indicators; per indicator, its groups'
changes; per indicator, the gaps between its groups in the latest wave. With the adjusted
p-value q:

* ``clear``    q < alpha (0.05): "clearly";
* ``probable`` q < 2 alpha: "probably" (weak evidence, worth watching);
* ``unclear``  otherwise: "we cannot tell".

Register values have no sampling error: any change is exact and counts as ``clear``.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from .compute import Gap
from .definitions import Direction
from .multiple import benjamini_hochberg
from .trends import Change, FollowUp

#: Groups named per indicator as the ones that changed most.
GROUPS_NAMED = 2


class Certainty(StrEnum):
    CLEAR = "clear"
    PROBABLE = "probable"
    UNCLEAR = "unclear"


class Movement(StrEnum):
    IMPROVED = "improved"
    WORSENED = "worsened"
    #: Exactly no change (register values), or no good direction to read it in.
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class Read:
    """One change as the summary reads it."""

    change: float
    since: Hashable
    movement: Movement
    certainty: Certainty
    #: Unadjusted and Benjamini–Hochberg adjusted p-values; None for exact register values.
    p_value: float | None
    p_adjusted: float | None


@dataclass(frozen=True)
class GroupRead:
    variable: str
    group: Any
    read: Read


@dataclass(frozen=True)
class Finding:
    """One indicator of the area."""

    key: str
    #: The change since the previous wave; None at the first wave or when it is suppressed.
    overall: Read | None
    #: Groups whose change is clear or probable, the largest first (at most GROUPS_NAMED).
    groups: tuple[GroupRead, ...]
    #: The largest clear gap between two groups in the latest wave, if any.
    gap: Gap | None


def _testable(change: Change | None) -> bool:
    return change is not None and change.suppressed is None and change.value is not None


def _movement(value: float, direction: Direction) -> Movement:
    if value == 0:
        return Movement.UNCHANGED
    return Movement.IMPROVED if direction.better(value, 0.0) else Movement.WORSENED


def _certainty(q: float, alpha: float) -> Certainty:
    if q < alpha:
        return Certainty.CLEAR
    return Certainty.PROBABLE if q < 2 * alpha else Certainty.UNCLEAR


def area_findings(follow_ups: Sequence[tuple[FollowUp, Direction]],
                  alpha: float = 0.05) -> list[Finding]:
    """A finding per follow-up, in the order given: the follow-ups of one focus area, whose
    changes are one family of tests (see the module docstring)."""
    adjusted: dict[int, float] = {}

    def adjust(family: list[Change | Gap]) -> None:
        family = [t for t in family if t.suppressed is None and t.p_value is not None]
        adjusted.update(zip(map(id, family), benjamini_hochberg([t.p_value for t in family]),
                            strict=True))

    adjust([f.overall.since_previous for f, _direction in follow_ups
            if _testable(f.overall.since_previous)])
    for follow, _direction in follow_ups:
        adjust([g.comparison.since_previous for g in follow.groups
                if _testable(g.comparison.since_previous)])
        adjust(list(follow.latest.gaps))

    def read(change: Change | None, direction: Direction) -> Read | None:
        if not _testable(change):
            return None
        q = adjusted.get(id(change))
        if q is not None:
            certainty = _certainty(q, alpha)
        else:  # no test: exact register values are sure; a share of 0 or 1 in both waves is not
            certainty = Certainty.CLEAR if change.se is None else Certainty.UNCLEAR
        return Read(change.value, change.since, _movement(change.value, direction),
                    certainty, change.p_value, q)

    out = []
    for follow, direction in follow_ups:
        groups = [GroupRead(g.variable, g.group, r) for g in follow.groups
                  if (r := read(g.comparison.since_previous, direction)) is not None
                  and r.certainty is not Certainty.UNCLEAR
                  and r.movement is not Movement.UNCHANGED]
        groups.sort(key=lambda g: (g.read.certainty is not Certainty.CLEAR,
                                   -abs(g.read.change)))
        gaps = [gap for gap in follow.latest.gaps
                if gap.value is not None and adjusted.get(id(gap), 1.0) < alpha]
        out.append(Finding(
            key=follow.indicator, overall=read(follow.overall.since_previous, direction),
            groups=tuple(groups[:GROUPS_NAMED]),
            gap=max(gaps, key=lambda gap: abs(gap.value), default=None)))
    return out
