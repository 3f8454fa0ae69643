"""A drawn sample weighted in three steps, against R survey (tests/data/weighting/sampled)."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import numpy as np
import pandas as pd
import pytest

from surveys.weighting import DesignError, read_margins
from surveys.weighting.sampled import DrawnSample, SampledDesign
from tests.support.reference import DATA

from .conftest import assert_rel

CASE = DATA / "sampled"
RTOL_WEIGHT = 1e-8
RTOL_SE = 1e-6


@cache
def _case() -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    everyone = pd.read_csv(CASE / "sample.csv", encoding="utf-8", dtype={"id": str})
    margins = read_margins(CASE / "margins.csv")
    expected = json.loads((CASE / "expected.json").read_text(encoding="utf-8"))
    return everyone.set_index("id"), margins, expected


def _drawn(name: str) -> tuple[pd.DataFrame, DrawnSample]:
    """The respondents and what was drawn, from the full sample as a fieldwork record has it."""
    everyone, _, _ = _case()
    respondents = everyone[everyone["responded"] == 1].copy()
    population = everyone.groupby("stratum")["N_h"].first().to_dict()
    sampled = everyone["stratum"].value_counts().to_dict()
    if name == "strata_rake":
        return respondents, DrawnSample(respondents["stratum"], population, sampled)
    group = everyone["age"] + "/" + everyone["born"]
    cells = pd.crosstab(everyone["stratum"], group).stack()
    return respondents, DrawnSample(
        respondents["stratum"], population, sampled,
        rhg_of_respondent=group[respondents.index],
        sampled_per_rhg={k: int(n) for k, n in cells.items() if n})


@cache
def _weighted(name: str) -> tuple[SampledDesign, Any]:
    respondents, drawn = _drawn(name)
    sampled = SampledDesign(respondents, drawn)
    _, margins, _ = _case()
    if name == "strata_rake":
        return sampled, sampled.design.rake(margins, epsilon=1e-10, max_iter=100)
    return sampled, sampled.design.calibrate(margins, method="linear")


def _expected(name: str) -> dict[str, Any]:
    return next(c for c in _case()[2]["cases"] if c["name"] == name)


NAMES = ["strata_rake", "age_born_calibrate"]


def test_the_reference_case_is_a_drawn_sample_with_unequal_response() -> None:
    """Guard: 8 strata, oversampled foreign-born strata, response rates far apart."""
    everyone, _, expected = _case()
    assert everyone["stratum"].nunique() == 8
    rates = everyone.groupby("stratum")["responded"].mean()
    assert rates.max() - rates.min() > 0.15
    assert expected["meta"]["respondents"] == int(everyone["responded"].sum())
    assert {c["name"] for c in expected["cases"]} == set(NAMES)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("step,attribute", [("design_weights", "design_weights"),
                                            ("nonresponse_weights", "nonresponse_weights"),
                                            ("final_weights", None)])
def test_weights_of_every_step_match_r(name: str, step: str, attribute: str | None) -> None:
    """Each step's weight for every respondent, to 1e-8 relative."""
    sampled, weighted = _weighted(name)
    expected = pd.Series(_expected(name)[step])
    got = getattr(sampled, attribute) if attribute else weighted.weights
    assert len(got) == len(expected)
    assert_rel(got.loc[expected.index].to_numpy(), expected.to_numpy(), RTOL_WEIGHT,
               f"sampled {step}")


def _estimates(survey: Any, entries: list[dict[str, Any]]) -> tuple[np.ndarray, ...]:
    got_est, got_se, exp_est, exp_se = [], [], [], []
    for e in entries:
        if e["group_by"] is None:
            row = survey.mean(e["outcome"]).iloc[0]
        else:
            frame = survey.mean(e["outcome"], by=e["group_by"])
            row = frame.loc[e["group"]]
        got_est.append(row["estimate"])
        got_se.append(row["se"])
        exp_est.append(e["estimate"])
        exp_se.append(e["se"])
    return tuple(np.array(x) for x in (got_est, got_se, exp_est, exp_se))


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("stage", ["estimates_after_nonresponse", "estimates"])
def test_estimates_and_standard_errors_match_r(name: str, stage: str) -> None:
    """Means and shares overall and by group, with stratified-fpc (and calibration) SEs."""
    sampled, weighted = _weighted(name)
    survey = sampled.design if stage == "estimates_after_nonresponse" else weighted
    entries = _expected(name)[stage]
    assert len(entries) >= 14
    est, se, exp_est, exp_se = _estimates(survey, entries)
    assert_rel(est, exp_est, RTOL_WEIGHT, "sampled estimates")
    assert_rel(se, exp_se, RTOL_SE, "sampled SE")


def test_the_design_uses_respondents_per_stratum_for_the_fpc() -> None:
    """R's fpc with the respondents as the design's units: 1 - r_h/N_h, and degf = r - H."""
    sampled, _ = _weighted("strata_rake")
    table = sampled.strata.set_index("stratum")
    assert np.allclose(table["fpc_factor"], 1 - table["respondents"] / table["population"])
    assert sampled.design.degf == int(table["respondents"].sum()) - 8
    # the design's stratum sizes are the respondents, not the sampled
    assert (table["respondents"] < table["sampled"]).all()


def test_steps_summarise_each_step() -> None:
    """Step 1 sums to the population, step 2 keeps it (strata as groups), step 3 meets N."""
    sampled, weighted = _weighted("strata_rake")
    everyone, margins, _ = _case()
    steps = sampled.steps(weighted).set_index("step")
    N = float(everyone.groupby("stratum")["N_h"].first().sum())
    r = int(everyone["responded"].sum())
    assert list(steps.index) == ["design", "nonresponse", "calibration"]
    assert steps.loc["design", "sum_weights"] < N  # respondents only: non-response lost
    assert steps.loc["nonresponse", "sum_weights"] == pytest.approx(N, rel=1e-12)
    assert steps.loc["calibration", "sum_weights"] == pytest.approx(
        margins[margins["variable"] == "age"]["population_count"].sum(), rel=1e-9)
    assert (steps["n"] == r).all()
    for step, w in (("design", sampled.design_weights), ("nonresponse", sampled.nonresponse_weights),
                    ("calibration", weighted.weights)):
        assert steps.loc[step, "kish_deff"] == pytest.approx(r * (w**2).sum() / w.sum() ** 2)
        assert steps.loc[step, "weight_cv"] == pytest.approx(w.std(ddof=0) / w.mean())
        assert steps.loc[step, "weight_max"] == w.max()
    assert steps["kish_deff"].min() > 1
    assert steps.loc["design", "weight_min"] == pytest.approx(sampled.strata["design_weight"].min())
    assert len(sampled.steps()) == 2


def test_a_small_sample_worked_by_hand() -> None:
    """Two strata, groups cutting across them; the numbers worked out on paper."""
    respondents = pd.DataFrame({"g": ["a", "a", "b", "a", "b", "b"]},
                               index=[1, 2, 3, 4, 5, 6])
    stratum = pd.Series(["x", "x", "x", "y", "y", "y"], index=respondents.index)
    # x: N=100, n=10 (a: 6 sampled, b: 4); y: N=60, n=3 (a: 1, b: 2)
    drawn = DrawnSample(stratum, {"x": 100, "y": 60}, {"x": 10, "y": 3},
                        rhg_of_respondent=respondents["g"],
                        sampled_per_rhg={("x", "a"): 6, ("x", "b"): 4,
                                         ("y", "a"): 1, ("y", "b"): 2})
    sampled = SampledDesign(respondents, drawn)
    assert sampled.design_weights.tolist() == [10, 10, 10, 20, 20, 20]
    # a: sampled 6*10 + 1*20 = 80, respondents 10+10+20 = 40 -> 2
    # b: sampled 4*10 + 2*20 = 80, respondents 10+20+20 = 50 -> 1.6
    assert sampled.nonresponse_weights.tolist() == pytest.approx([20, 20, 16, 40, 32, 32])
    groups = sampled.groups.set_index("group")
    assert groups.loc["a", "adjustment"] == pytest.approx(2.0)
    assert groups.loc["b", "weighted_response_rate"] == pytest.approx(50 / 80)
    assert groups["sampled"].tolist() == [7, 6]


def test_groups_as_unions_of_strata() -> None:
    """Without counts per (stratum, group) each stratum's whole sample goes to its group."""
    respondents = pd.DataFrame({"h": ["x", "x", "y", "y", "z", "z"]}, index=list("abcdef"))
    group = respondents["h"].map({"x": "small", "y": "small", "z": "z"})
    drawn = DrawnSample(respondents["h"], {"x": 40, "y": 40, "z": 50}, {"x": 4, "y": 2, "z": 5},
                        rhg_of_respondent=group)
    sampled = SampledDesign(respondents, drawn)
    # small: sampled 4*10 + 2*20 = 80, respondents 2*10 + 2*20 = 60
    assert sampled.nonresponse_weights.tolist() == pytest.approx(
        [10 * 4 / 3, 10 * 4 / 3, 20 * 4 / 3, 20 * 4 / 3, 25, 25])


@pytest.mark.parametrize("change,reason", [
    ({"population_per_stratum": {"x": 100}}, "unknown_stratum"),
    ({"sampled_per_stratum": {"x": 10, "y": 70}}, "invalid_sample_sizes"),
    ({"sampled_per_stratum": {"x": 2, "y": 3}}, "more_respondents_than_sampled"),
    ({"sampled_per_stratum": {"x": 10, "y": 3, "w": 4},
      "population_per_stratum": {"x": 100, "y": 60, "w": 9}}, "empty_rhg"),
    ({"rhg_of_respondent": pd.Series(["a", "b", "a", "a", "b", "b"], index=range(1, 7))},
     "rhg_splits_stratum"),
    ({"rhg_of_respondent": pd.Series(list("aabbbb"), index=range(1, 7)),
      "sampled_per_rhg": {("x", "a"): 5, ("x", "b"): 4, ("y", "b"): 3}}, "invalid_sample_sizes"),
    ({"stratum_of_respondent": pd.Series(["x", "x", "x", None, "y", "y"], index=range(1, 7))},
     "missing_strata"),
])
def test_refusals(change: dict[str, Any], reason: str) -> None:
    """Inconsistent sampling information is refused with a reason, never weighted."""
    respondents = pd.DataFrame({"v": range(6)}, index=range(1, 7))
    spec = {"stratum_of_respondent": pd.Series(list("xxxyyy"), index=respondents.index),
            "population_per_stratum": {"x": 100, "y": 60},
            "sampled_per_stratum": {"x": 10, "y": 3}, **change}
    with pytest.raises(DesignError) as caught:
        SampledDesign(respondents, DrawnSample(**spec))
    assert caught.value.details["reason"] == reason
