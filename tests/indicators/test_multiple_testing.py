"""Many tests at once: Benjamini–Hochberg adjusted p-values and the words that follow them;
groups in their natural order."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from scipy import stats

from surveys.indicators import (
    Assessment,
    Estimate,
    Gap,
    ShareIndicator,
    WaveResult,
    benjamini_hochberg,
    category_order,
    follow_up,
)

REFERENCE = Path(__file__).resolve().parents[1] / "data" / "multiple_testing"

#: Six tested p-values and one untested (None), out of order, with a tie.
P = [0.01, 0.04, 0.03, 0.005, None, 0.5, 0.04]


def test_benjamini_hochberg_by_hand() -> None:
    """m = 6 (None is not a test). Sorted: 0.005 0.01 0.03 0.04 0.04 0.5; times m/rank:
    0.03 0.03 0.06 0.06 0.048 0.5; the running minimum from the largest down:
    0.03 0.03 0.048 0.048 0.048 0.5."""
    assert benjamini_hochberg(P) == pytest.approx(
        [0.03, 0.048, 0.048, 0.03, None, 0.5, 0.048])
    assert benjamini_hochberg([]) == []
    assert benjamini_hochberg([None]) == [None]
    assert benjamini_hochberg([0.2]) == [0.2]  # one test: nothing to adjust
    assert benjamini_hochberg([0.9, 0.95]) == [0.95, 0.95]
    assert max(benjamini_hochberg([0.6, 0.7, 0.8])) <= 1


def test_benjamini_hochberg_agrees_with_r() -> None:
    """Against base R's p.adjust, computed once by tests/data/multiple_testing/make_reference.R
    (R 4.2.2); a missing p is left out of the count in both."""
    reference = json.loads((REFERENCE / "expected.json").read_text())
    adjusted = benjamini_hochberg(reference["p"])
    assert adjusted[-1] is None and reference["adjusted"][-1] is None
    assert adjusted[:-1] == pytest.approx(reference["adjusted"][:-1], rel=1e-12)


def est(value: float, se: float, group: str | None = None) -> Estimate:
    return Estimate(value, se, None, None, 200, variable="age" if group else None, group=group)


def _wave(year: int, groups: dict[str, tuple[float, float]]) -> WaveResult:
    return WaveResult("hog", year, year, "proportion", est(0.5, 0.01),
                      groups={"age": tuple(est(v, s, g) for g, (v, s) in groups.items())})


def test_group_changes_are_judged_by_the_adjusted_p() -> None:
    """Four groups change; one alone passes p < 0.05 unadjusted (p = 0.0455), but adjusted
    for the four tests it does not: it is no longer called improved. The overall change is
    one test and keeps its own p."""
    before = _wave(2025, {"16-29": (0.35, 0.015), "30-44": (0.5, 0.02), "45-64": (0.5, 0.02),
                          "65+": (0.5, 0.02)})
    after = _wave(2026, {"16-29": (0.40, 0.02), "30-44": (0.51, 0.02), "45-64": (0.49, 0.02),
                         "65+": (0.5, 0.02)})
    f = follow_up(ShareIndicator(key="hog", item="q", values={1}), [before, after])
    young = f.groups[0].comparison.since_previous
    assert young.p_value == pytest.approx(0.0455002638963584, rel=1e-9)  # z = 2
    others = [g.comparison.since_previous.p_value for g in f.groups[1:]]
    assert young.p_adjusted == pytest.approx(benjamini_hochberg([young.p_value, *others])[0])
    assert young.p_adjusted == pytest.approx(4 * young.p_value)  # the smallest of four
    assert young.significant is False and young.assessment is Assessment.UNCHANGED
    overall = f.overall.since_previous
    assert overall.p_adjusted == overall.p_value
    data = f.to_dict()["groups"][0]["since_previous"]
    assert data["p_value"] == young.p_value and data["p_adjusted"] == young.p_adjusted


def test_a_strong_group_change_stays_improved_after_adjustment() -> None:
    before = _wave(2025, {"16-29": (0.30, 0.01), "30-44": (0.5, 0.02)})
    after = _wave(2026, {"16-29": (0.40, 0.01), "30-44": (0.5, 0.02)})
    f = follow_up(ShareIndicator(key="hog", item="q", values={1}), [before, after])
    young = f.groups[0].comparison.since_previous
    assert young.p_adjusted < 0.001 and young.assessment is Assessment.IMPROVED


def test_a_waves_gaps_are_adjusted_together() -> None:
    z = [2.0, 0.5, 3.5]
    gaps = tuple(Gap("born", f"a{i}", "b", 0.1, 0.1 / zi, None, None,
                     p_value=float(2 * stats.norm.sf(zi))) for i, zi in enumerate(z))
    wave = WaveResult("hog", 2026, 2026, "proportion", est(0.5, 0.01), gaps=gaps)
    adjusted = wave.with_adjusted_gaps()
    expected = benjamini_hochberg([g.p_value for g in gaps])
    assert [g.p_adjusted for g in adjusted.gaps] == pytest.approx(expected)
    assert gaps[0].significant and not adjusted.gaps[0].significant  # 0.0455 -> 0.068
    assert adjusted.gaps[2].significant
    stored = WaveResult.from_dict(adjusted.to_dict())
    assert stored.gaps[0].p_adjusted == pytest.approx(expected[0])
    assert stored.to_dict()["gaps"][0]["significant"] is False


def test_categories_in_their_natural_order() -> None:
    years = ["20_plus", "10_19", "0_4", "5_9"]
    assert category_order(years) == ["0_4", "5_9", "10_19", "20_plus"]
    assert category_order(["65+", "16-29", "45-64", "30-44"]) == [
        "16-29", "30-44", "45-64", "65+"]
    # a declared order (a question's options, a population table's rows) comes first
    assert category_order(["man", "annat", "kvinna"], ["kvinna", "man", "annat"]) == [
        "kvinna", "man", "annat"]
    assert category_order(["x", "kvinna", "2"], ["kvinna"]) == ["kvinna", "2", "x"]


def test_a_wave_lists_its_groups_in_order() -> None:
    wave = WaveResult("hog", 2026, 2026, "proportion", est(0.5, 0.01), groups={
        "years_in_sweden": tuple(est(0.5, 0.01, g) for g in ("0_4", "10_19", "20_plus", "5_9")),
        "gender": tuple(est(0.5, 0.01, g) for g in ("annat", "kvinna", "man"))})
    ordered = wave.in_order({"gender": ["kvinna", "man", "annat"]})
    assert [e.group for e in ordered.groups["years_in_sweden"]] == [
        "0_4", "5_9", "10_19", "20_plus"]
    assert [e.group for e in ordered.groups["gender"]] == ["kvinna", "man", "annat"]
