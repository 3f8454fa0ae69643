"""Indicator values against R survey 4.1-1 (tests/data/weighting/*/expected.json).

Every reference estimate that an indicator kind can express is recomputed through
:func:`estimate_wave`: means of the scale items, and shares (trust_kommun_hog = 7-10 on
trust_kommun; the 0/1 items as the share answering 1), overall and by group, for every
weighting variant (raking, fpc, trimming, stratified designs).
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy import special, stats

from surveys.indicators import (
    DisclosureRules,
    MeanIndicator,
    ShareIndicator,
    SurveyIndicator,
    estimate_wave,
)
from tests.support.reference import DATA, reference_design

from .conftest import assert_rel, case_data

RTOL_ESTIMATE = 1e-8
RTOL_SE = 1e-6  # as the engine's own R tests: R prints SEs to ~1e-7 of their precision
RTOL_CI = 1e-8
NO_SUPPRESSION = DisclosureRules(min_n=0)
BINARY = {"trygg", "kontakt", "awards", "comp.imp"}


def _entries() -> list[tuple[str, str, dict[str, Any]]]:
    out = []
    for case in ("muni_rake", "api_rake"):
        expected = json.loads((DATA / case / "expected.json").read_text(encoding="utf-8"))
        for key in ("estimates_unweighted_design", "estimates_before_raking_strat_fpc"):
            out += [(case, key, e) for e in expected.get(key, [])]
        for v in expected["variants"]:
            out += [(case, v["name"], e) for e in v["estimates"]]
    return out


ENTRIES = _entries()


def _id(entry: tuple[str, str, dict[str, Any]]) -> str:
    _, name, e = entry
    group = "" if e["group_by"] is None else f"-{e['group']}"
    return f"{name}-{e['outcome']}{group}"


def _indicator(outcome: str) -> SurveyIndicator:
    if outcome == "trust_kommun_hog":
        return ShareIndicator(key=outcome, item="trust_kommun", values=range(7, 11))
    if outcome in BINARY:
        return ShareIndicator(key=outcome, item=outcome, values={1})
    return MeanIndicator(key=outcome, item=outcome)


def test_reference_entries_are_all_used() -> None:
    """Guard: every reference entry is checked (a new one in the data shows up here)."""
    counts = pd.Series([c for c, _, _ in ENTRIES]).value_counts()
    assert counts["muni_rake"] == 18 + 48 + 5 * 18
    assert counts["api_rake"] == 6 + 3 * 24


def test_trust_kommun_is_whole_numbers_so_7_to_10_is_at_least_7() -> None:
    """The share 7-10 equals R's trust_kommun >= 7 only if answers are whole numbers 0-10."""
    sample, _, _ = case_data("muni_rake")
    values = set(sample["trust_kommun"].dropna().unique())
    assert values <= set(range(11)) and len(values) == 11


@pytest.mark.parametrize("case,name,entry", ENTRIES, ids=[_id(e) for e in ENTRIES])
def test_indicator_matches_r(case: str, name: str, entry: dict[str, Any]) -> None:
    """Estimate, SE, interval, n, weighted n and design effect as R computed them."""
    design = reference_design(case, name)
    indicator = _indicator(entry["outcome"])
    groups = [] if entry["group_by"] is None else [entry["group_by"]]
    wave = estimate_wave(indicator, design, year=2025, groups=groups, rules=NO_SUPPRESSION)
    est = wave.overall if not groups else wave.group(entry["group_by"], entry["group"])
    assert est is not None and est.suppressed is None
    assert_rel(est.value, entry["estimate"], RTOL_ESTIMATE, "estimate")
    assert_rel(est.se, entry["se"], RTOL_SE, "se")
    assert est.n == entry["n_nonmissing"]
    assert_rel(est.sum_weights, entry["sum_weights_nonmissing"], RTOL_ESTIMATE, "sum of weights")
    assert_rel(est.deff, entry["deff"], RTOL_SE, "deff")
    if isinstance(indicator, MeanIndicator):
        assert_rel([est.ci_low, est.ci_high], entry["ci95_normal"], RTOL_CI, "mean CI (normal)")
        assert est.df is None
    elif "ci95_svyciprop_logit" in entry:
        assert_rel(
            [est.ci_low, est.ci_high],
            entry["ci95_svyciprop_logit"],
            RTOL_CI,
            "share CI (svyciprop logit)",
        )
        assert est.df == design.degf
    else:
        # R's normal interval is not what a share reports: the logit one is asymmetric
        assert est.ci_low != pytest.approx(entry["ci95_normal"][0], rel=1e-6)


@pytest.mark.parametrize("variable", ["born", "district"])
def test_group_share_interval_is_logit_with_group_degrees_of_freedom(variable: str) -> None:
    """By group: expit(logit p +- t_{n_g - 1} SE / (p(1-p))), computed here by hand."""
    sample, _, _ = case_data("muni_rake")
    design = reference_design("muni_rake", "rake_tight")
    indicator = _indicator("trust_kommun_hog")
    wave = estimate_wave(indicator, design, year=2025, groups=[variable])
    engine = design.proportion(indicator.score(sample), by=variable)
    for est in wave.groups[variable]:
        n_group = int((sample[variable] == est.group).sum())  # all the group's respondents
        assert est.df == n_group - 1
        p, se = est.value, est.se
        half = stats.t.ppf(0.975, n_group - 1) * se / (p * (1 - p))
        expected = special.expit(special.logit(p) + np.array([-half, half]))
        assert_rel([est.ci_low, est.ci_high], expected, 1e-12, "group share CI (by hand)")
        row = engine.loc[est.group]
        assert (est.value, est.se, est.ci_low, est.ci_high) == (
            row["estimate"],
            row["se"],
            row["ci_low"],
            row["ci_high"],
        )
        assert est.ci_low < p < est.ci_high
        assert p - est.ci_low != pytest.approx(est.ci_high - p, rel=1e-3)  # asymmetric


def test_grouping_given_as_series_equals_grouping_by_column() -> None:
    """A derived grouping (a Series, here born recoded) gives the column's numbers."""
    sample, _, _ = case_data("muni_rake")
    design = reference_design("muni_rake", "rake_tight")
    indicator = _indicator("trust_polis")
    recoded = sample["born"].map({"inrikes": "sverige", "utrikes": "utlandet"}).rename("origin")
    by_series = estimate_wave(indicator, design, year=2025, groups=[recoded])
    by_column = estimate_wave(indicator, design, year=2025, groups=["born"])
    a = by_series.group("origin", "utlandet")
    b = by_column.group("born", "utrikes")
    assert a is not None and b is not None
    assert (a.value, a.se, a.n) == (b.value, b.se, b.n)


def test_years_in_sweden_bands_from_pd_cut_keep_their_order_and_serialize() -> None:
    """A numeric column cut into bands (a Categorical of intervals) is a grouping too."""
    sample, _, _ = case_data("muni_rake")
    design = reference_design("muni_rake", "rake_tight")
    years = pd.Series(np.arange(len(sample)) % 40, index=sample.index, dtype=float)
    bands = pd.cut(years, [0, 5, 10, 100], right=False).rename("years_in_sweden")
    wave = estimate_wave(_indicator("trust_polis"), design, year=2025, groups=[bands])
    estimates = wave.groups["years_in_sweden"]
    assert [e.n for e in estimates] == [
        int(((years >= lo) & (years < hi) & sample["trust_polis"].notna()).sum())
        for lo, hi in ((0, 5), (5, 10), (10, 100))
    ]
    groups = [g["group"] for g in wave.to_dict()["groups"]["years_in_sweden"]]
    assert groups == ["[0, 5)", "[5, 10)", "[10, 100)"]
