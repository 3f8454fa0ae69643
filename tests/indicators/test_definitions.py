"""Indicator kinds: per-respondent scores, "don't know", the index rule, stored form."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from surveys.indicators import (
    DONT_KNOW,
    Direction,
    DisclosureRules,
    DontKnow,
    IndexIndicator,
    IndexItem,
    IndicatorError,
    MeanIndicator,
    RegisterIndicator,
    ShareIndicator,
    Target,
    estimate_wave,
    indicator_from_dict,
    indicator_to_dict,
)
from surveys.weighting import Design


def answers(values: list[object]) -> pd.DataFrame:
    index = [f"r{i}" for i in range(len(values))]
    return pd.DataFrame({"q": pd.Series(values, dtype=object, index=index)})


def test_share_counts_answers_in_the_set_whatever_their_type() -> None:
    """7-10 on a 0-10 item: 7, "8", 10.0 count; 6 and "3" do not; missing never counts."""
    data = answers([7, "8", 10.0, 6, "3", None, np.nan, DONT_KNOW])
    share = ShareIndicator(key="hog", item="q", values=range(7, 11))
    score = share.score(data)
    np.testing.assert_array_equal(score.to_numpy(), [1, 1, 1, 0, 0, np.nan, np.nan, np.nan])
    assert score.index.equals(data.index)


def test_dont_know_excluded_or_included_changes_the_denominator() -> None:
    """3 of 5 with an opinion (60%) versus 3 of 6 respondents (50%)."""
    data = answers([9, 8, 7, 2, 1, DONT_KNOW, None])
    design = Design(data.assign(w=1.0), weights="w")
    excluded = ShareIndicator(key="x", item="q", values=range(7, 11))
    included = ShareIndicator(key="i", item="q", values=range(7, 11), dont_know=DontKnow.INCLUDE)
    rules = DisclosureRules(min_n=0)
    a = estimate_wave(excluded, design, year=2025, rules=rules).overall
    b = estimate_wave(included, design, year=2025, rules=rules).overall
    assert (a.value, a.n) == (pytest.approx(0.6), 5)
    assert (b.value, b.n) == (pytest.approx(0.5), 6)


def test_share_of_a_text_option_and_invalid_value_sets() -> None:
    data = answers(["ja", "nej", "ja", DONT_KNOW])
    share = ShareIndicator(key="ja", item="q", values={"ja"})
    assert share.score(data).tolist()[:3] == [1.0, 0.0, 1.0]
    with pytest.raises(IndicatorError) as info:
        ShareIndicator(key="bad", item="q", values={"ja", DONT_KNOW})
    assert info.value.code == "dont_know_in_value_set"
    with pytest.raises(IndicatorError) as info:
        ShareIndicator(key="bad", item="q", values=[])
    assert info.value.code == "empty_value_set"


def test_mean_leaves_out_dont_know_and_refuses_text() -> None:
    data = answers([4, "6", DONT_KNOW, None, 8.0])
    mean = MeanIndicator(key="m", item="q")
    np.testing.assert_array_equal(mean.score(data).to_numpy(), [4, 6, np.nan, np.nan, 8])
    with pytest.raises(IndicatorError) as info:
        mean.score(answers([4, "mycket"]))
    assert info.value.code == "not_numeric" and info.value.details["values"] == ["mycket"]
    with pytest.raises(IndicatorError) as info:
        mean.score(pd.DataFrame({"other": [1]}))
    assert info.value.code == "missing_item"


def test_index_rescales_each_item_to_0_100_and_reverses() -> None:
    """0-10 item, 1-5 item, reversed 1-5 item: (5, 5, 2) -> (50, 100, 75) -> 75."""
    index = IndexIndicator(
        key="idx",
        items=(IndexItem("a", 0, 10), IndexItem("b", 1, 5), IndexItem("c", 1, 5, reverse=True)),
    )
    data = pd.DataFrame(
        {"a": [5, 10, 0, None, 3], "b": [5, 1, None, None, 2], "c": [2, 1, 5, 4, DONT_KNOW]},
        dtype=object,
    )
    rescaled = index.rescaled(data)
    np.testing.assert_allclose(rescaled.iloc[0], [50, 100, 75])
    np.testing.assert_allclose(rescaled.iloc[1], [100, 0, 100])
    score = index.score(data).to_numpy()
    assert index.min_answered == 2  # "at least half" of 3 items
    np.testing.assert_allclose(score[:3], [75, 200 / 3, 0.0])  # third: (0 + 0) / 2
    assert math.isnan(score[3])  # one item of three answered
    assert score[4] == pytest.approx((30 + 25) / 2)  # dk on c: mean of the other two


def test_index_min_answered_rule_is_configurable_and_checked() -> None:
    items = (
        IndexItem("a", 0, 10),
        IndexItem("b", 0, 10),
        IndexItem("c", 0, 10),
        IndexItem("d", 0, 10),
    )
    data = pd.DataFrame({"a": [10, 10], "b": [0, 10], "c": [None, 10], "d": [None, None]})
    assert IndexIndicator(key="half", items=items).score(data).tolist() == [50.0, 100.0]
    strict = IndexIndicator(key="all3", items=items, min_answered=3).score(data)
    assert math.isnan(strict.iloc[0]) and strict.iloc[1] == 100.0
    for bad in (0, 5, True):
        with pytest.raises(IndicatorError) as info:
            IndexIndicator(key="x", items=items, min_answered=bad)
        assert info.value.code == "invalid_min_answered"
    with pytest.raises(IndicatorError) as info:
        IndexItem("a", 5, 5)
    assert info.value.code == "invalid_scale"


def test_index_answer_outside_the_scale_is_an_error_not_clipped() -> None:
    index = IndexIndicator(key="idx", items=(IndexItem("a", 1, 5), IndexItem("b", 1, 5)))
    with pytest.raises(IndicatorError) as info:
        index.score(pd.DataFrame({"a": [1, 7, 9], "b": [1, 2, 3]}))
    assert info.value.code == "out_of_range"
    assert info.value.details["values"] == [7.0, 9.0]
    assert info.value.details["n_respondents"] == 2


def test_index_estimate_is_the_weighted_mean_of_scores_with_normal_interval() -> None:
    """Equal weights: the plain mean of the scores, SE^2 = sum (s - mean)^2 / (n (n-1))."""
    rng = np.random.default_rng(3)
    n = 60
    data = pd.DataFrame(
        {"a": rng.integers(0, 11, n).astype(float), "b": rng.integers(1, 6, n).astype(float)}
    )
    data.loc[:4, "b"] = np.nan  # still scored: one of two items is half
    index = IndexIndicator(key="idx", items=(IndexItem("a", 0, 10), IndexItem("b", 1, 5)))
    est = estimate_wave(index, Design(data.assign(w=2.0), weights="w"), year=2025).overall
    s = ((data["a"] * 10 + (data["b"] - 1) * 25) / 2).to_numpy(copy=True)
    s[:5] = data["a"].to_numpy()[:5] * 10
    se = math.sqrt(((s - s.mean()) ** 2).sum() / (n * (n - 1)))
    assert est.value == pytest.approx(s.mean(), rel=1e-12)
    assert est.se == pytest.approx(se, rel=1e-12)
    q = stats.norm.ppf(0.975)
    assert (est.ci_low, est.ci_high) == pytest.approx((s.mean() - q * se, s.mean() + q * se))
    assert est.n == n and est.df is None


def test_definitions_round_trip_through_json() -> None:
    indicators = [
        ShareIndicator(
            key="hog",
            item="trust_kommun",
            values=range(7, 11),
            dont_know=DontKnow.INCLUDE,
            baseline_wave=2025,
            target=Target(0.45, 2030),
        ),
        MeanIndicator(key="m", item="trust_polis", direction=Direction.LOWER_IS_BETTER),
        IndexIndicator(
            key="idx", items=(IndexItem("a", 0, 10), IndexItem("b", 1, 5, True)), min_answered=1
        ),
        RegisterIndicator(key="syss", source="SCB", unit="procent", baseline_wave=2019),
    ]
    for ind in indicators:
        stored = json.loads(json.dumps(indicator_to_dict(ind)))
        assert indicator_from_dict(stored) == ind
    assert indicator_to_dict(indicators[0])["values"] == [7, 8, 9, 10]


@pytest.mark.parametrize(
    "stored,code",
    [
        ({"kind": "pie", "key": "x"}, "unknown_kind"),
        ({"kind": "mean", "key": "x", "item": "q", "direction": "up"}, "invalid_direction"),
        ({"kind": "mean", "key": "x", "item": "q", "target": {"value": 1}}, "invalid_target"),
        ({"kind": "mean", "key": "x"}, "invalid_definition"),
        ({"kind": "mean", "key": " ", "item": "q"}, "invalid_key"),
        (
            {"kind": "share", "key": "x", "item": "q", "values": [1], "dont_know": "maybe"},
            "invalid_dont_know",
        ),
        (
            {"kind": "mean", "key": "x", "item": "q", "target": {"value": 1, "year": "2030"}},
            "invalid_target_year",
        ),
    ],
)
def test_invalid_stored_definitions_name_the_problem(stored: dict, code: str) -> None:
    with pytest.raises(IndicatorError) as info:
        indicator_from_dict(stored)
    assert info.value.code == code


def test_the_indicator_core_imports_without_flask_or_sqlalchemy() -> None:
    code = (
        "import sys, surveys.indicators; "
        "print(sorted(m for m in ('flask', 'sqlalchemy', 'flask_babel') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
