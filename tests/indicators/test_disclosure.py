"""Disclosure control: small groups suppressed, large relative SEs flagged."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from surveys.indicators import (
    COMPLEMENT,
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
    """Two small groups (9 and 3) cover each other, so the group of ten stays shown."""
    design = survey(
        {
            "nine": [1.0] * 5 + [0.0] * 4,
            "three": [1.0, 0.0, 0.0],
            "ten": [1.0] * 5 + [0.0] * 5,
            "big": [1.0, 0.0] * 20,
        }
    )
    wave = estimate_wave(
        ShareIndicator(key="s", item="q", values={1}), design, year=2025, groups=["g"]
    )
    nine, ten = wave.group("g", "nine"), wave.group("g", "ten")
    assert nine.suppressed == SMALL_GROUP and wave.group("g", "three").suppressed == SMALL_GROUP
    assert (nine.value, nine.se, nine.ci_low, nine.ci_high, nine.n, nine.deff) == (None,) * 6
    assert ten.suppressed is None and ten.value == pytest.approx(0.5) and ten.n == 10
    # the same figures for the analyst with a lower threshold
    relaxed = estimate_wave(
        ShareIndicator(key="s", item="q", values={1}),
        design,
        year=2025,
        groups=["g"],
        rules=DisclosureRules(min_n=3),
    )
    assert relaxed.group("g", "nine").value == pytest.approx(5 / 9)


def test_respondents_without_an_answer_do_not_count_towards_the_threshold() -> None:
    design = survey({"a": [5.0] * 9 + [None] * 3, "b": [4.0] * 30})
    mean = MeanIndicator(key="m", item="q")
    wave = estimate_wave(mean, design, year=2025, groups=["g"])
    assert wave.group("g", "a").suppressed is not None  # 12 respondents, 9 answers
    shown = estimate_wave(mean, design, year=2025, groups=["g"], rules=DisclosureRules(min_n=9))
    assert shown.group("g", "a").n == 9 and shown.group("g", "a").suppressed is None


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
            "tail": [1.0] * 6 + [0.0] * 6,  # the smallest other group: hidden with "small"
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
    assert small.suppressed == COMPLEMENT and small.value is None and small.se is None
    assert wave.group("g", "tail").suppressed == COMPLEMENT
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


def test_the_issues_fourteen_respondents_hide_both_groups_of_born() -> None:
    """Overall 9/14 and Swedish-born 6/11 gave away that the 3 foreign-born all said yes."""
    design = survey({"inrikes": [1.0] * 6 + [0.0] * 5, "utrikes": [1.0] * 3})
    share = ShareIndicator(key="s", item="q", values={1})
    wave = estimate_wave(share, design, year=2025, groups=["g"],
                         gaps=[GapSpec("g", "utrikes", "inrikes")])
    assert wave.overall.value == pytest.approx(9 / 14) and wave.overall.n == 14
    assert [e.suppressed for e in wave.groups["g"]] == [COMPLEMENT, COMPLEMENT]
    assert all(e.n is None and e.value is None for e in wave.groups["g"])
    assert wave.gaps[0].suppressed == COMPLEMENT


def test_respondents_without_a_group_do_not_stand_in_for_a_complement() -> None:
    """Their number could be known (e.g. from another table): the small group needs a
    published group hidden beside it, and that group is the smallest one."""
    rows = {"a": [1.0] * 3, "b": [1.0] * 8 + [0.0] * 7, "c": [1.0, 0.0] * 20}
    design = survey(rows | {"none": [1.0, 0.0] * 10})
    grouping = design.sample["g"].where(design.sample["g"] != "none").rename("grp")
    wave = estimate_wave(ShareIndicator(key="s", item="q", values={1}), design, year=2025,
                         groups=[grouping])
    assert wave.overall.n == 78 and sum(1 for _ in wave.groups["grp"]) == 3
    assert [wave.group("grp", g).suppressed for g in "abc"] == [COMPLEMENT, COMPLEMENT, None]
    assert wave.group("grp", "c").n == 40


def test_a_share_of_exactly_zero_or_one_is_exact_with_a_clopper_pearson_interval() -> None:
    from scipy import stats

    design = survey({"none": [0.0] * 12, "all": [1.0] * 15, "mixed": [1.0, 0.0] * 15})
    wave = estimate_wave(ShareIndicator(key="s", item="q", values={1}), design, year=2025,
                         groups=["g"], rules=DisclosureRules(min_n=0))
    none, every = wave.group("g", "none"), wave.group("g", "all")
    assert (none.value, none.se, none.ci_low) == (0.0, 0.0, 0.0)  # not 1e-16
    assert (every.value, every.se, every.ci_high) == (1.0, 0.0, 1.0)
    # equal weights: n_eff = n, the textbook exact interval
    assert none.ci_high == pytest.approx(stats.binomtest(0, 12).proportion_ci().high, rel=1e-12)
    assert every.ci_low == pytest.approx(stats.binomtest(15, 15).proportion_ci().low, rel=1e-12)
    assert none.uncertain and every.uncertain  # a share at 0 or 1 is always flagged
    assert not wave.group("g", "mixed").uncertain


def test_exact_interval_uses_kish_effective_n_under_unequal_weights() -> None:
    frame = pd.DataFrame({"g": ["a"] * 10 + ["b"] * 10, "q": [0.0] * 10 + [1.0, 0.0] * 5,
                          "w": [1.0, 4.0] * 5 + [1.0] * 10}, index=[f"r{i}" for i in range(20)])
    est = estimate_wave(ShareIndicator(key="s", item="q", values={1}), Design(frame, "w"),
                        year=2025, groups=["g"], rules=DisclosureRules(min_n=0)).group("g", "a")
    n_eff = 25.0**2 / (5 * 1.0 + 5 * 16.0)  # (sum w)^2 / sum w^2 = 625/85 < 10
    assert est.value == 0.0
    assert est.ci_high == pytest.approx(1 - 0.025 ** (1 / n_eff), rel=1e-12)


@pytest.mark.parametrize("yes", [1, 6, 8])
def test_uncertainty_of_a_share_is_symmetric(yes: int) -> None:
    """p and 1 - p have the same SE; the flag uses the RSE of the smaller of the two."""
    share = ShareIndicator(key="s", item="q", values={1})
    low = estimate_wave(share, survey({"g": [1.0] * yes + [0.0] * (20 - yes)}), year=2025)
    high = estimate_wave(share, survey({"g": [0.0] * yes + [1.0] * (20 - yes)}), year=2025)
    assert high.overall.value == pytest.approx(1 - low.overall.value)
    assert high.overall.se == pytest.approx(low.overall.se, rel=1e-12)
    assert high.overall.uncertain is low.overall.uncertain
    assert low.overall.uncertain is (low.overall.se / (yes / 20) > 0.30)
