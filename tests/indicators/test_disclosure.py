"""Disclosure control: small groups suppressed, large relative SEs flagged."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from surveys.indicators import (
    NO_DATA,
    SMALL_GROUP,
    DisclosureRules,
    GapSpec,
    IndicatorError,
    MeanIndicator,
    ShareIndicator,
    estimate_wave,
)
from surveys.weighting import Design


def survey(groups: dict[str, list[float | None]]) -> Design:
    """Equal weights; one row per answer, group label in column g."""
    rows = [(g, v) for g, values in groups.items() for v in values]
    frame = pd.DataFrame(rows, columns=["g", "q"], index=[f"r{i}" for i in range(len(rows))])
    return Design(frame.assign(w=1.0), weights="w")


def test_a_group_of_nine_is_suppressed_and_a_group_of_ten_is_shown() -> None:
    design = survey(
        {"nine": [1.0] * 5 + [0.0] * 4, "ten": [1.0] * 5 + [0.0] * 5, "big": [1.0, 0.0] * 20}
    )
    wave = estimate_wave(
        ShareIndicator(key="s", item="q", values={1}), design, year=2025, groups=["g"]
    )
    nine, ten = wave.group("g", "nine"), wave.group("g", "ten")
    assert nine.suppressed == SMALL_GROUP
    assert (nine.value, nine.se, nine.ci_low, nine.ci_high, nine.n, nine.deff) == (None,) * 6
    assert ten.suppressed is None and ten.value == pytest.approx(0.5) and ten.n == 10
    # the same figures for the analyst with a lower threshold
    relaxed = estimate_wave(
        ShareIndicator(key="s", item="q", values={1}),
        design,
        year=2025,
        groups=["g"],
        rules=DisclosureRules(min_n=5),
    )
    assert relaxed.group("g", "nine").value == pytest.approx(5 / 9)


def test_respondents_without_an_answer_do_not_count_towards_the_threshold() -> None:
    design = survey({"a": [5.0] * 9 + [None] * 3, "b": [4.0] * 30})
    wave = estimate_wave(MeanIndicator(key="m", item="q"), design, year=2025, groups=["g"])
    assert wave.group("g", "a").suppressed == SMALL_GROUP  # 12 respondents, 9 answers


def test_an_empty_declared_group_is_no_data_even_without_a_threshold() -> None:
    design = survey({"a": [1.0] * 12, "b": [0.0] * 12})
    cats = pd.Categorical(design.sample["g"], categories=["a", "b", "c"]).astype("category")
    grouping = pd.Series(cats, index=design.sample.index, name="g3")
    wave = estimate_wave(
        MeanIndicator(key="m", item="q"),
        design,
        year=2025,
        groups=[grouping],
        rules=DisclosureRules(min_n=0),
    )
    assert [e.group for e in wave.groups["g3"]] == ["a", "b", "c"]
    assert wave.group("g3", "c").suppressed == NO_DATA


@pytest.mark.parametrize("yes,uncertain", [(1, True), (7, True), (8, False), (10, False)])
def test_relative_standard_error_above_30_percent_is_marked_uncertain(
    yes: int, uncertain: bool
) -> None:
    """Group of 20 in a sample of 60, equal weights: SE^2 = p(1-p)/n_g * n/(n-1).

    RSE = sqrt((1-p)/(20 p) * 60/59): 7 of 20 gives 0.307 (uncertain), 8 of 20 0.276.
    """
    design = survey({"g20": [1.0] * yes + [0.0] * (20 - yes), "rest": [1.0, 0.0] * 20})
    est = estimate_wave(
        ShareIndicator(key="s", item="q", values={1}), design, year=2025, groups=["g"]
    ).group("g", "g20")
    p = yes / 20
    se = math.sqrt(p * (1 - p) / 20 * 60 / 59)
    assert est.se == pytest.approx(se, rel=1e-12)
    assert est.rse == pytest.approx(se / p, rel=1e-12)
    assert est.uncertain is uncertain
    assert (se / p > 0.30) is uncertain


def test_uncertainty_threshold_is_configurable_and_validated() -> None:
    design = survey({"g": [1.0] * 4 + [0.0] * 16})
    share = ShareIndicator(key="s", item="q", values={1})
    assert estimate_wave(share, design, year=2025).overall.uncertain  # RSE ~0.46
    lenient = estimate_wave(share, design, year=2025, rules=DisclosureRules(max_rse=0.5))
    assert not lenient.overall.uncertain
    for bad in ({"min_n": -1}, {"min_n": 2.5}, {"max_rse": 0}):
        with pytest.raises(IndicatorError):
            DisclosureRules(**bad)


def test_gap_with_a_suppressed_group_is_suppressed_and_inherits_uncertainty() -> None:
    design = survey(
        {
            "small": [1.0] * 4 + [0.0] * 4,
            "low": [1.0] * 2 + [0.0] * 28,
            "mid": [1.0] * 15 + [0.0] * 15,
        }
    )
    share = ShareIndicator(key="s", item="q", values={1})
    wave = estimate_wave(
        share,
        design,
        year=2025,
        groups=["g"],
        gaps=[
            GapSpec("g", "small", "mid"),
            GapSpec("g", "low", "mid"),
            GapSpec("g", "mid", "gone"),
        ],
    )
    small, low, gone = wave.gaps
    assert small.suppressed == SMALL_GROUP and small.value is None and small.se is None
    assert low.suppressed is None and low.value == pytest.approx(2 / 30 - 0.5)
    assert wave.group("g", "low").uncertain and low.uncertain  # RSE of 2/30 is ~0.7
    assert gone.suppressed == NO_DATA
    with pytest.raises(IndicatorError) as info:
        estimate_wave(share, design, year=2025, gaps=[GapSpec("g", "low", "mid")])
    assert info.value.code == "gap_variable_not_grouped"


def test_whole_population_estimate_is_suppressed_when_too_few_answered() -> None:
    design = survey({"g": [1.0] * 8 + [None] * 20})
    est = estimate_wave(MeanIndicator(key="m", item="q"), design, year=2025).overall
    assert est.suppressed == SMALL_GROUP and est.value is None
    assert design.mean("q")["estimate"].iloc[0] == pytest.approx(1.0)  # the engine still has it
