"""Change since the previous wave and the baseline, tests, and status against targets."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from surveys.indicators import (
    SMALL_GROUP,
    Assessment,
    Direction,
    Estimate,
    Gap,
    GapSpec,
    IndicatorError,
    MeanIndicator,
    ShareIndicator,
    Target,
    TargetStatus,
    WaveResult,
    change,
    estimate_wave,
    follow_up,
    target_status,
)
from surveys.weighting import Design
from tests.support.reference import reference_design

from .conftest import case_data

Z975 = 1.959963984540054


def est(value: float | None, se: float | None, **kw) -> Estimate:
    return Estimate(value, se, None, None, 100, **kw)


def test_significant_change_by_hand() -> None:
    """0.35 (SE 0.015) -> 0.40 (SE 0.02): d 0.05, SE 0.025, z 2, p 0.0455."""
    c = change(est(0.40, 0.02), est(0.35, 0.015), since=2025, direction=Direction.HIGHER_IS_BETTER)
    assert c.since == 2025
    assert c.value == pytest.approx(0.05)
    assert c.se == pytest.approx(0.025)
    assert c.z == pytest.approx(2.0)
    assert c.p_value == pytest.approx(0.0455002638963584, rel=1e-9)
    assert c.significant is True
    assert (c.ci_low, c.ci_high) == pytest.approx((0.05 - Z975 * 0.025, 0.05 + Z975 * 0.025))
    assert c.assessment is Assessment.IMPROVED
    worse = change(
        est(0.40, 0.02), est(0.35, 0.015), since=2025, direction=Direction.LOWER_IS_BETTER
    )
    assert worse.assessment is Assessment.WORSENED


def test_change_within_the_noise_is_unchanged() -> None:
    """5.5 -> 5.6 with SEs 0.1: z = 0.1 / sqrt(0.02) = 0.707, p = 0.4795."""
    c = change(est(5.6, 0.1), est(5.5, 0.1), since="2025", direction=Direction.HIGHER_IS_BETTER)
    assert c.z == pytest.approx(0.1 / np.sqrt(0.02))
    assert c.p_value == pytest.approx(0.4795001221869535, rel=1e-9)
    assert c.significant is False and c.assessment is Assessment.UNCHANGED
    assert c.ci_low < 0 < c.ci_high


def test_change_with_a_suppressed_end_is_suppressed() -> None:
    hidden = Estimate(None, None, None, None, None, suppressed=SMALL_GROUP)
    c = change(est(0.4, 0.02), hidden, since=2025, direction=Direction.HIGHER_IS_BETTER)
    assert c.suppressed == SMALL_GROUP and c.value is None and c.significant is None


def test_register_values_change_exactly_without_a_test() -> None:
    c = change(est(63.5, None), est(61.2, None), since=2019, direction=Direction.HIGHER_IS_BETTER)
    assert c.value == pytest.approx(2.3)
    assert (c.se, c.z, c.p_value, c.significant) == (None, None, None, None)
    assert c.assessment is Assessment.IMPROVED
    flat = change(est(61.2, None), est(61.2, None), since=2019, direction=Direction.LOWER_IS_BETTER)
    assert flat.assessment is Assessment.UNCHANGED


H, L = Direction.HIGHER_IS_BETTER, Direction.LOWER_IS_BETTER


@pytest.mark.parametrize(
    "direction,value,year,status",
    [
        # baseline 0.30 in 2025, target 0.40 by 2029: the line asks 0.35 in 2027
        (H, 0.41, 2027, TargetStatus.REACHED),
        (H, 0.40, 2027, TargetStatus.REACHED),
        (H, 0.36, 2027, TargetStatus.ON_TRACK),
        (H, 0.35, 2027, TargetStatus.ON_TRACK),
        (H, 0.34, 2027, TargetStatus.NOT_ON_TRACK),
        (H, 0.30, 2025, TargetStatus.ON_TRACK),  # at the baseline the line starts there
        (H, 0.39, 2030, TargetStatus.NOT_ON_TRACK),  # target year passed
        (H, None, 2027, TargetStatus.UNKNOWN),
    ],
)
def test_target_status_higher_is_better(direction, value, year, status) -> None:
    assert target_status(Target(0.40, 2029), direction, value, year, 0.30, 2025) is status


@pytest.mark.parametrize(
    "value,status",
    [
        # lower is better: baseline 20% in 2024, target 10% by 2028, line asks 15% in 2026
        (0.09, TargetStatus.REACHED),
        (0.14, TargetStatus.ON_TRACK),
        (0.16, TargetStatus.NOT_ON_TRACK),
        (0.25, TargetStatus.NOT_ON_TRACK),
    ],
)
def test_target_status_lower_is_better(value, status) -> None:
    assert target_status(Target(0.10, 2028), L, value, 2026, 0.20, 2024) is status


def test_target_status_without_target_or_baseline() -> None:
    assert target_status(None, H, 0.3, 2026, 0.2, 2025) is TargetStatus.NO_TARGET
    assert target_status(Target(0.4, 2029), H, 0.3, 2026, None, None) is TargetStatus.UNKNOWN
    assert target_status(Target(0.4, 2029), H, 0.45, 2026, None, None) is TargetStatus.REACHED


def wave(
    year: int,
    value: float,
    se: float,
    groups: dict[str, tuple[float, float]],
    gap: tuple[float, float],
) -> WaveResult:
    return WaveResult(
        indicator="hog",
        wave=year,
        year=year,
        estimator="proportion",
        overall=est(value, se),
        groups={"born": tuple(est(v, s, variable="born", group=g) for g, (v, s) in groups.items())},
        gaps=(Gap("born", "utrikes", "inrikes", gap[0], gap[1], None, None),),
    )


def test_follow_up_over_three_waves_by_hand() -> None:
    ind = ShareIndicator(
        key="hog", item="q", values={1}, baseline_wave=2025, target=Target(0.40, 2029)
    )
    waves = [  # deliberately out of order
        wave(2027, 0.36, 0.01, {"inrikes": (0.37, 0.011), "utrikes": (0.33, 0.03)}, (-0.04, 0.032)),
        wave(
            2025, 0.30, 0.012, {"inrikes": (0.32, 0.013), "utrikes": (0.22, 0.035)}, (-0.10, 0.037)
        ),
        wave(2026, 0.33, 0.011, {"inrikes": (0.34, 0.012)}, (-0.08, 0.035)),
    ]
    f = follow_up(ind, waves)
    assert (f.latest.year, f.previous_wave, f.baseline_wave) == (2027, 2026, 2025)
    prev, base = f.overall.since_previous, f.overall.since_baseline
    assert prev.value == pytest.approx(0.03) and prev.se == pytest.approx(np.hypot(0.01, 0.011))
    assert base.value == pytest.approx(0.06) and base.se == pytest.approx(np.hypot(0.01, 0.012))
    assert base.significant and base.assessment is Assessment.IMPROVED
    assert f.status is TargetStatus.ON_TRACK and f.required == pytest.approx(0.35)
    utrikes = next(g for g in f.groups if g.group == "utrikes").comparison
    assert utrikes.since_previous is None  # not in the 2026 wave
    assert utrikes.since_baseline.value == pytest.approx(0.11)
    gap = f.gaps[0].comparison
    assert gap.since_baseline.value == pytest.approx(0.06)  # the gap narrowed by 6 points
    assert gap.since_baseline.se == pytest.approx(np.hypot(0.032, 0.037))
    assert gap.since_baseline.assessment is None  # a gap has no good direction of its own
    json.dumps(f.to_dict())  # serializable as is


def test_follow_up_at_the_baseline_wave_and_without_it() -> None:
    ind = MeanIndicator(key="m", item="q", baseline_wave=2025, target=Target(7.0, 2030))
    only = follow_up(ind, [wave(2025, 5.6, 0.05, {}, (0.1, 0.1))])
    assert only.overall.since_previous is None and only.overall.since_baseline is None
    assert only.baseline_wave == 2025 and only.status is TargetStatus.ON_TRACK
    missing = MeanIndicator(key="m", item="q", baseline_wave=2020, target=Target(7.0, 2030))
    f = follow_up(
        missing, [wave(2025, 5.6, 0.05, {}, (0.1, 0.1)), wave(2026, 5.8, 0.05, {}, (0.1, 0.1))]
    )
    assert f.overall.since_baseline is None and f.status is TargetStatus.UNKNOWN
    with pytest.raises(IndicatorError) as info:
        follow_up(missing, [])
    assert info.value.code == "no_waves"


def test_two_computed_waves_change_with_independent_samples() -> None:
    """Two waves of the muni sample (the second with higher trust), each raked on its own."""
    sample, margins, _ = case_data("muni_rake")
    later = sample.copy()
    bump = later["trust_kommun"].notna() & (later["trust_kommun"] == 6)
    later.loc[bump[bump].index[::2], "trust_kommun"] = 7  # half of the sixes become sevens
    ind = ShareIndicator(
        key="hog",
        item="trust_kommun",
        values=range(7, 11),
        baseline_wave=2025,
        target=Target(0.45, 2030),
    )
    spec = {"groups": ["born"], "gaps": [GapSpec("born", "utrikes", "inrikes")]}
    w1 = estimate_wave(ind, reference_design("muni_rake", "rake_tight"), year=2025, **spec)
    w2 = estimate_wave(
        ind, Design(later, weights="base_w").rake(margins, epsilon=1e-10), year=2026, **spec
    )
    f = follow_up(ind, [w1, w2])
    c = f.overall.since_previous
    assert c.value == pytest.approx(w2.overall.value - w1.overall.value)
    assert c.value > 0.02
    assert c.se == pytest.approx(np.hypot(w1.overall.se, w2.overall.se))
    assert c.significant and c.assessment is Assessment.IMPROVED
    # 0.357 -> ~0.39 in one of five years towards 0.45: the line asks 0.376
    assert f.required == pytest.approx(w1.overall.value + (0.45 - w1.overall.value) / 5)
    assert f.status is TargetStatus.ON_TRACK
    assert f.gaps[0].comparison.since_previous.se == pytest.approx(
        np.hypot(w1.gaps[0].se, w2.gaps[0].se)
    )
    assert isinstance(pd.Series(f.to_dict()["groups"]).iloc[0]["since_previous"], dict)
