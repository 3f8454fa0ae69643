"""Change over waves, significance tests and status against the target.

Waves are independent samples, so the estimates of two waves are independent and the
change d = x_t - x_s has

    SE(d) = sqrt(SE_t^2 + SE_s^2),  z = d / SE(d),  p = 2 (1 - Phi(|z|)),

significant when p < 0.05, interval d +- z_{0.975} SE(d). The same holds for a gap
followed over waves. Register values have no sampling error: their change is exact, so
``se``, ``z`` and ``p_value`` are None and any non-zero change counts.

Status against a target (value T to reach by year Y), from point estimates:

* ``reached``: the latest value is at or beyond T in the indicator's good direction;
* ``on_track``: not reached, the target year not passed, and the latest value is at or
  beyond the straight line from the baseline (year t_0, value x_0) to (Y, T), i.e.
  x_t >= x_0 + (T - x_0) (t - t_0) / (Y - t_0) for "higher is better" (<= for "lower").
  At the baseline wave itself the line starts at x_0, so an unreached target is on track;
* ``not_on_track``: otherwise, including a target year that has passed;
* ``no_target`` without a target, ``unknown`` when the latest or baseline value is missing
  or suppressed (or the baseline is not among the waves).

Many tests at once (every group's change, every gap of a wave) are read together: their
p-values are adjusted with :func:`benjamini_hochberg`, which keeps the expected share of
false discoveries among the flagged ones at alpha, and "significant", "improved" and
"worsened" follow the adjusted p. The unadjusted p is kept beside it.

Sampling error is deliberately not part of the status (it would need a rule for "on track
within the interval" that a council cannot check by eye); the change tests and intervals
stand beside it.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from dataclasses import asdict, dataclass, replace
from enum import StrEnum
from typing import Any, Protocol

from scipy import stats

from surveys.core.data import jsonable

from .compute import WaveResult, _same
from .definitions import Direction, Indicator, Target
from .disclosure import NO_DATA
from .errors import IndicatorError
from .multiple import benjamini_hochberg


class Valued(Protocol):
    """Anything with a value, an SE and a suppression reason (Estimate, Gap)."""

    value: float | None
    se: float | None
    suppressed: str | None


class Assessment(StrEnum):
    """A change read in the indicator's direction."""

    IMPROVED = "improved"
    WORSENED = "worsened"
    UNCHANGED = "unchanged"  # not significant (or exactly zero for register values)


class TargetStatus(StrEnum):
    """Status of the latest value against the target (see the module docstring)."""

    REACHED = "reached"
    ON_TRACK = "on_track"
    NOT_ON_TRACK = "not_on_track"
    NO_TARGET = "no_target"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Change:
    """Change of a value between two waves, with its test."""

    #: Label of the earlier wave.
    since: Hashable
    value: float | None
    se: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    z: float | None = None
    p_value: float | None = None
    #: p < alpha (the adjusted p when tested with others); None when untestable
    #: (suppressed, or exact register values).
    significant: bool | None = None
    assessment: Assessment | None = None
    suppressed: str | None = None
    #: p adjusted for the other tests of its family (:func:`benjamini_hochberg`); for a
    #: test on its own, p itself.
    p_adjusted: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly dict."""
        return jsonable(asdict(self))

    def judged(self, direction: Direction | None, alpha: float = 0.05) -> Change:
        """Significance and assessment read from ``p_adjusted`` (tested changes only)."""
        if self.p_adjusted is None or self.value is None:
            return self
        significant = self.p_adjusted < alpha
        assessment = None
        if direction is not None:
            if not significant:
                assessment = Assessment.UNCHANGED
            elif direction.better(self.value, 0.0):
                assessment = Assessment.IMPROVED
            else:
                assessment = Assessment.WORSENED
        return replace(self, significant=significant, assessment=assessment)


def adjusted_changes(changes: Sequence[Change | None], direction: Direction | None,
                     alpha: float = 0.05) -> list[Change | None]:
    """Changes tested together, their p adjusted (Benjamini–Hochberg) and judged by it."""
    adjusted = benjamini_hochberg([c.p_value if c is not None else None for c in changes])
    return [None if c is None else c if p is None else
            replace(c, p_adjusted=p).judged(direction, alpha)
            for c, p in zip(changes, adjusted, strict=True)]


def change(
    current: Valued,
    previous: Valued,
    *,
    since: Hashable,
    direction: Direction | None = None,
    level: float = 0.95,
    alpha: float = 0.05,
) -> Change:
    """Change from ``previous`` to ``current`` (independent waves), see the module docstring.

    ``direction`` turns the change into an :class:`Assessment`; leave it None for figures
    without a good direction (a gap can close from either side).
    """
    reason = current.suppressed or previous.suppressed
    if reason is None and (current.value is None or previous.value is None):
        reason = NO_DATA
    if reason is not None:
        return Change(since, None, suppressed=reason)
    assert current.value is not None and previous.value is not None
    d = current.value - previous.value
    if current.se is None or previous.se is None:
        # register values: no sampling error, the change is what it is
        exact = Assessment.UNCHANGED if d == 0 else None
        if exact is None and direction is not None:
            exact = Assessment.IMPROVED if direction.better(d, 0.0) else Assessment.WORSENED
        return Change(since, d, assessment=exact if direction is not None else None)
    se = math.sqrt(current.se**2 + previous.se**2)
    q = float(stats.norm.ppf((1.0 + level) / 2.0))
    if se == 0:  # both ends degenerate (e.g. a share of exactly 0 or 1): nothing to test
        return Change(since, d, 0.0, d, d)
    z = d / se
    p = float(2.0 * stats.norm.sf(abs(z)))
    return Change(since, d, se, d - q * se, d + q * se, z, p, p_adjusted=p).judged(
        direction, alpha)


def required_value(target: Target, baseline_value: float, baseline_year: int, year: int) -> float:
    """The value on the straight line from the baseline to the target in ``year``."""
    span = target.year - baseline_year
    return baseline_value + (target.value - baseline_value) * (year - baseline_year) / span


def target_status(
    target: Target | None,
    direction: Direction,
    value: float | None,
    year: int,
    baseline_value: float | None,
    baseline_year: int | None,
) -> TargetStatus:
    """Status of ``value`` (in ``year``) against ``target``; see the module docstring."""
    if target is None:
        return TargetStatus.NO_TARGET
    if value is None:
        return TargetStatus.UNKNOWN
    if not direction.better(target.value, value):  # at or beyond the target
        return TargetStatus.REACHED
    if year > target.year:
        return TargetStatus.NOT_ON_TRACK
    if baseline_value is None or baseline_year is None:
        return TargetStatus.UNKNOWN
    if target.year <= baseline_year:
        return TargetStatus.NOT_ON_TRACK
    line = required_value(target, baseline_value, baseline_year, year)
    behind = direction.better(line, value)
    return TargetStatus.NOT_ON_TRACK if behind else TargetStatus.ON_TRACK


@dataclass(frozen=True)
class Comparison:
    """A figure of the latest wave against the previous wave and against the baseline."""

    since_previous: Change | None
    since_baseline: Change | None

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly dict."""
        return jsonable(asdict(self))


@dataclass(frozen=True)
class GroupComparison:
    """Comparison of one group's estimate."""

    variable: str
    group: Any
    comparison: Comparison


@dataclass(frozen=True)
class GapComparison:
    """Comparison of one gap (no direction: a gap is read by its size)."""

    variable: str
    minuend: Any
    subtrahend: Any
    comparison: Comparison


@dataclass(frozen=True)
class FollowUp:
    """The yearly follow-up of one indicator: latest wave, changes, status."""

    indicator: str
    latest: WaveResult
    previous_wave: Hashable | None
    baseline_wave: Hashable | None
    overall: Comparison
    groups: tuple[GroupComparison, ...]
    gaps: tuple[GapComparison, ...]
    status: TargetStatus
    #: The on-track value for the latest year (None without target, baseline or when reached).
    required: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly dict."""
        return jsonable(
            {
                "indicator": self.indicator,
                "latest": self.latest.to_dict(),
                "previous_wave": self.previous_wave,
                "baseline_wave": self.baseline_wave,
                "overall": self.overall.to_dict(),
                "groups": [
                    {"variable": g.variable, "group": g.group, **g.comparison.to_dict()}
                    for g in self.groups
                ],
                "gaps": [
                    {
                        "variable": g.variable,
                        "minuend": g.minuend,
                        "subtrahend": g.subtrahend,
                        **g.comparison.to_dict(),
                    }
                    for g in self.gaps
                ],
                "status": str(self.status),
                "required": self.required,
            }
        )


def follow_up(indicator: Indicator, waves: Sequence[WaveResult]) -> FollowUp:
    """Compare the latest wave with the previous one and the baseline; status vs target.

    ``waves`` are this indicator's results in any order (sorted here by year, ties kept in
    the given order); the baseline is the wave labelled ``indicator.baseline_wave``.
    Groups and gaps are compared where the earlier wave has them too.
    """
    if not waves:
        raise IndicatorError("no_waves", indicator=indicator.key)
    ordered = sorted(waves, key=lambda w: w.year)
    latest = ordered[-1]
    previous = ordered[-2] if len(ordered) > 1 else None
    wanted = indicator.baseline_wave
    is_base = [wanted is not None and _same(w.wave, wanted) for w in ordered]
    baseline = next((w for w, b in zip(ordered[:-1], is_base[:-1], strict=True) if b), None)
    base_in_waves = latest if is_base[-1] else baseline
    direction = indicator.direction

    def compare(
        now: Valued, earlier: Valued | None, wave: WaveResult | None, with_direction: bool
    ) -> Change | None:
        if earlier is None or wave is None:
            return None
        return change(
            now, earlier, since=wave.wave, direction=direction if with_direction else None
        )

    overall = Comparison(
        compare(latest.overall, previous.overall if previous else None, previous, True),
        compare(latest.overall, baseline.overall if baseline else None, baseline, True),
    )
    group_keys, group_changes = [], []
    for variable, estimates in latest.groups.items():
        for est in estimates:
            prev = previous.group(variable, est.group) if previous else None
            base = baseline.group(variable, est.group) if baseline else None
            group_keys.append((variable, est.group))
            group_changes.append((compare(est, prev, previous, True),
                                  compare(est, base, baseline, True)))
    gap_keys, gap_changes = [], []
    for gap in latest.gaps:
        key = (gap.variable, gap.minuend, gap.subtrahend)
        prev_gap = previous.gap(*key) if previous else None
        base_gap = baseline.gap(*key) if baseline else None
        gap_keys.append(key)
        gap_changes.append((compare(gap, prev_gap, previous, False),
                            compare(gap, base_gap, baseline, False)))
    # every group's change is one family of tests, every gap's change another
    groups = [GroupComparison(*key, Comparison(*pair)) for key, pair in zip(
        group_keys, _adjusted_pairs(group_changes, direction), strict=True)]
    gaps = [GapComparison(*key, Comparison(*pair)) for key, pair in zip(
        gap_keys, _adjusted_pairs(gap_changes, None), strict=True)]

    base_value = base_in_waves.overall.value if base_in_waves else None
    base_year = base_in_waves.year if base_in_waves else None
    status = target_status(
        indicator.target, direction, latest.overall.value, latest.year, base_value, base_year
    )
    required = None
    target = indicator.target
    if (
        status in (TargetStatus.ON_TRACK, TargetStatus.NOT_ON_TRACK)
        and target is not None
        and base_value is not None
        and base_year is not None
        and base_year < target.year
        and latest.year <= target.year
    ):
        required = required_value(target, base_value, base_year, latest.year)
    return FollowUp(
        indicator=indicator.key,
        latest=latest,
        previous_wave=previous.wave if previous else None,
        baseline_wave=base_in_waves.wave if base_in_waves else None,
        overall=overall,
        groups=tuple(groups),
        gaps=tuple(gaps),
        status=status,
        required=required,
    )


def _adjusted_pairs(pairs: list[tuple[Change | None, Change | None]],
                    direction: Direction | None) -> list[tuple[Change | None, Change | None]]:
    """(since previous, since baseline) pairs, each column adjusted as one family."""
    previous = adjusted_changes([p for p, _ in pairs], direction)
    baseline = adjusted_changes([b for _, b in pairs], direction)
    return list(zip(previous, baseline, strict=True))
