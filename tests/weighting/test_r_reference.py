"""Every reference number in tests/data/weighting/*/expected.json (R survey 4.1-1)."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from tests.support.reference import DATA

from .conftest import assert_rel, hog, load_case, variant

RTOL_WEIGHT = 1e-8  # weights and point estimates
RTOL_SE = 1e-6  # standard errors and design effects
RTOL_CI = 1e-8


def _variants() -> list[tuple[str, str, dict[str, Any]]]:
    out = []
    for case in ("muni_rake", "api_rake"):
        expected = json.loads((DATA / case / "expected.json").read_text(encoding="utf-8"))
        for v in expected["variants"]:
            out.append((case, v["name"], v))
    return out


def _estimate_entries() -> list[tuple[str, str, dict[str, Any]]]:
    out = []
    for case in ("muni_rake", "api_rake"):
        expected = json.loads((DATA / case / "expected.json").read_text(encoding="utf-8"))
        for key in ("estimates_unweighted_design", "estimates_before_raking_strat_fpc"):
            for e in expected.get(key, []):
                out.append((case, key, e))
        for v in expected["variants"]:
            for e in v["estimates"]:
                out.append((case, v["name"], e))
    return out


VARIANTS = _variants()
ENTRIES = _estimate_entries()


def _entry_id(entry: tuple[str, str, dict[str, Any]]) -> str:
    _, name, e = entry
    group = "" if e["group_by"] is None else f"-{e['group_by']}={e['group']}"
    return f"{name}-{e['outcome']}{group}"


def _variant_weights(case: str, name: str, spec: dict[str, Any]) -> dict[str, float]:
    if spec["weights"] is not None:
        return spec["weights"]
    other = next(v for c, n, v in VARIANTS if c == case and n == spec["weights_same_as"])
    return other["weights"]


def test_all_reference_variants_are_covered() -> None:
    """Guard: the builders know every variant in the data (a new one would fail here)."""
    names = {(c, n) for c, n, _ in VARIANTS}
    assert len(names) == 9
    for case, name in names:
        assert variant(case, name) is not None


@pytest.mark.parametrize("case,name,spec", VARIANTS, ids=[f"{c}-{n}" for c, n, _ in VARIANTS])
def test_weights_match_r(case: str, name: str, spec: dict[str, Any]) -> None:
    """Final weights for every respondent, to 1e-8 relative."""
    result = variant(case, name)
    expected = pd.Series(_variant_weights(case, name, spec))
    got = result.weights
    assert got.index.equals(load_case(case)[0].index)
    assert len(expected) == len(got)
    assert_rel(got.loc[expected.index].to_numpy(), expected.to_numpy(), RTOL_WEIGHT, "weights")


@pytest.mark.parametrize("case,name,spec", VARIANTS, ids=[f"{c}-{n}" for c, n, _ in VARIANTS])
def test_convergence_matches_r(case: str, name: str, spec: dict[str, Any]) -> None:
    """Raking passes (smallest maxit without R's warning) and convergence flag."""
    result = variant(case, name)
    weighting = spec["weighting"]
    if weighting["method"] == "rake":
        assert result.converged is True
        assert result.iterations == weighting["passes_to_converge"]
        assert result.diagnostics.epsilon == pytest.approx(
            weighting["control"]["epsilon_absolute"], rel=1e-12
        )
        assert not [w for w in result.diagnostics.warnings if w.code == "not_converged"]
    else:  # rake + trimWeights
        trimmed = next(m for m in result.diagnostics.messages if m.code == "trimmed")
        assert trimmed.details["n_below_before"] == weighting["n_below_lower_before"]
        assert trimmed.details["n_above_before"] == weighting["n_above_upper_before"]
        assert trimmed.details["n_outside_after"] == weighting["n_outside_after"]
        assert result.method == "rake + trim"


@pytest.mark.parametrize("case,name,spec", VARIANTS, ids=[f"{c}-{n}" for c, n, _ in VARIANTS])
def test_weight_diagnostics_match(case: str, name: str, spec: dict[str, Any]) -> None:
    """n, sum, min, max, mean, max/min, cv, Kish deff and effective n of the weights."""
    diag = variant(case, name).diagnostics
    wd = spec["weight_diagnostics"]
    assert diag.n == wd["n"]
    pairs = {
        "sum_weights": "sum",
        "weight_min": "min",
        "weight_max": "max",
        "weight_mean": "mean",
        "weight_ratio": "max_over_min",
        "weight_cv": "cv_pop",
        "kish_deff": "kish_deff",
        "effective_n": "kish_n_eff",
    }
    for ours, theirs in pairs.items():
        assert_rel(getattr(diag, ours), wd[theirs], 1e-9, "weight diagnostics")
    assert diag.histogram_counts.sum() == wd["n"]


@pytest.mark.parametrize("case,name,spec", VARIANTS, ids=[f"{c}-{n}" for c, n, _ in VARIANTS])
def test_margin_check_matches(case: str, name: str, spec: dict[str, Any]) -> None:
    """Weighted count per category after weighting (R svytable)."""
    table = variant(case, name).diagnostics.margins.set_index(["variable", "category"])
    for var, cats in spec["margin_check"].items():
        for cat, count in cats.items():
            assert_rel(table.loc[(var, cat), "weighted_count"], count, 1e-9, "margin check")


@pytest.mark.parametrize("entry", ENTRIES, ids=[_entry_id(e) for e in ENTRIES])
def test_estimate_matches_r(entry: tuple[str, str, dict[str, Any]]) -> None:
    """svymean / svyby: estimate, SE, normal CI, deff, deff_replace, n, sum of weights."""
    case, name, e = entry
    result = variant(case, name)
    outcome: Any = e["outcome"]
    if outcome == "trust_kommun_hog":
        outcome = hog(result.sample)  # derived outcome, passed as a Series
    frame = result.mean(outcome, by=e["group_by"])
    if e["group_by"] is None:
        assert len(frame) == 1
        row = frame.iloc[0]
        assert frame.index[0] == e["outcome"]
    else:
        assert frame.index.name == e["group_by"]
        row = frame.loc[e["group"]]
    assert_rel(row["estimate"], e["estimate"], RTOL_WEIGHT, "estimate")
    assert_rel(row["se"], e["se"], RTOL_SE, "se")
    assert_rel([row["ci_low"], row["ci_high"]], e["ci95_normal"], RTOL_CI, "ci95_normal")
    # the CI is the stored SE's normal interval
    q = stats.norm.ppf(0.975)
    assert_rel(
        [row["ci_low"], row["ci_high"]],
        [e["estimate"] - q * e["se"], e["estimate"] + q * e["se"]],
        1e-9,
        "ci95_normal",
    )
    assert_rel(row["deff"], e["deff"], RTOL_SE, "deff")
    if "deff_replace" in e:
        assert_rel(row["deff_replace"], e["deff_replace"], RTOL_SE, "deff_replace")
    if "degf" in e:
        assert result.degf == e["degf"]
    assert int(row["n"]) == e["n_nonmissing"]
    assert_rel(row["sum_weights"], e["sum_weights_nonmissing"], RTOL_WEIGHT, "sum_weights")


BINARY = [x for x in ENTRIES if "ci95_svyciprop_logit" in x[2]]


@pytest.mark.parametrize("entry", BINARY, ids=[_entry_id(e) for e in BINARY])
def test_proportion_logit_ci_matches_r(entry: tuple[str, str, dict[str, Any]]) -> None:
    """svyciprop(method="logit") with df = degf(design)."""
    case, name, e = entry
    result = variant(case, name)
    outcome: Any = hog(result.sample) if e["outcome"] == "trust_kommun_hog" else e["outcome"]
    row = result.proportion(outcome).iloc[0]
    assert_rel(row["estimate"], e["estimate"], RTOL_WEIGHT, "estimate")
    assert_rel(row["se"], e["se"], RTOL_SE, "se")
    assert_rel(
        [row["ci_low"], row["ci_high"]], e["ci95_svyciprop_logit"], RTOL_CI, "ci95_svyciprop_logit"
    )
    # asymmetric: differs from the normal interval
    assert abs((row["ci_high"] - row["estimate"]) - (row["estimate"] - row["ci_low"])) > 1e-7


def test_groups_of_proportion_equal_mean() -> None:
    """proportion(by=) gives the same estimates/SEs as mean(by=) and a CI inside (0, 1)."""
    raked = variant("muni_rake", "rake_tight")
    p = raked.proportion("trygg", by="district")
    m = raked.mean("trygg", by="district")
    np.testing.assert_allclose(p["estimate"], m["estimate"], rtol=1e-14)
    np.testing.assert_allclose(p["se"], m["se"], rtol=1e-14)
    assert ((p["ci_low"] > 0) & (p["ci_high"] < 1)).all()
    assert list(p.index) == ["Centrum", "Norr", "Söder", "Väster", "Öster"]


def test_equal_weights_none_reproduces_base_w(
    muni: tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]],
) -> None:
    """weights=None starts from N/n = 24, i.e. the R design's base_w."""
    sample, margins, expected = muni
    raked = variant("muni_rake", "rake_tight")
    from surveys.weighting import Design

    alt = Design(sample.drop(columns="base_w"), weights=None).rake(margins)
    assert_rel(alt.weights.to_numpy(), raked.weights.to_numpy(), 1e-12, "weights")
    spec = next(v for v in expected["variants"] if v["name"] == "rake_tight")
    est = next(
        e for e in spec["estimates"] if e["outcome"] == "trust_polis" and e["group_by"] is None
    )
    row = alt.mean("trust_polis").iloc[0]
    assert_rel(row["se"], est["se"], RTOL_SE, "se")
