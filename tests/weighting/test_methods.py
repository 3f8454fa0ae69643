"""Post-stratification, calibration, trimming and raking beyond the R reference cases.

Where R numbers are not available the engine (cell-aggregated) is checked against the
naive row-level formulas in ``_reference.py`` and against hand computations.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from surveys.weighting import ConvergenceError, Design, WeightedDesign, WeightingError

from . import _reference as ref
from .conftest import assert_rel, variant

Case = tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]
MUNI_VARS = ["age", "gender", "born", "district"]


def _margin_dict(margins: pd.DataFrame) -> dict[str, dict[str, float]]:
    return {
        v: dict(zip(g["category"], g["population_count"], strict=True))
        for v, g in margins.groupby("variable", sort=False)
    }


def _uneven_weights(n: int) -> np.ndarray:
    """Base weights that differ between respondents of the same cell."""
    return 24.0 * (1.0 + 0.5 * np.sin(np.arange(n) * 0.7))


# --- rake ----------------------------------------------------------------------------


def test_rake_matches_row_level_ipf_with_uneven_base_weights(muni: Case) -> None:
    """Cell-aggregated raking == respondent-level IPF, incl. passes, when d varies in cells."""
    sample, margins, _ = muni
    sample["d"] = _uneven_weights(len(sample))
    raked = Design(sample, weights="d").rake(margins, epsilon=1e-10, max_iter=100)
    eps_abs = 1e-10 * sample["d"].sum()
    w, passes, converged = ref.rake_rows(
        sample, sample["d"].to_numpy(), _margin_dict(margins), eps_abs, 100
    )
    assert converged and raked.converged
    assert raked.iterations == passes
    assert_rel(raked.weights.to_numpy(), w, 1e-10, "weights (row-level IPF)")
    assert not np.allclose(raked.weights, variant("muni_rake", "rake_tight").weights)


def test_rake_se_matches_row_level_sweeps_with_uneven_base_weights(muni: Case) -> None:
    """Raking SEs (overall, by group, with missing values) == README's sweep formula."""
    sample, margins, _ = muni
    sample["d"] = _uneven_weights(len(sample))
    raked = Design(sample, weights="d").rake(margins)
    w = raked.weights.to_numpy()
    resid = ref.residual_rake_sweeps(sample, MUNI_VARS, w)
    for item in ["trust_kommun", "kontakt"]:
        y = sample[item].to_numpy(dtype=float)
        est, se = ref.mean_se(y, w, resid)
        row = raked.mean(item).iloc[0]
        assert_rel(row["estimate"], est, 1e-12, "estimate (row-level)")
        assert_rel(row["se"], se, 1e-9, "se (row-level)")
        by = raked.mean(item, by="born")
        for g in ["inrikes", "utrikes"]:
            est, se = ref.mean_se(y, w, resid, domain=(sample["born"] == g).to_numpy())
            assert_rel(by.loc[g, "estimate"], est, 1e-12, "estimate (row-level)")
            assert_rel(by.loc[g, "se"], se, 1e-9, "se (row-level)")


def test_rake_not_converged_is_reported_not_raised(muni: Case) -> None:
    """Hitting max_iter: converged False, iterations = max_iter, warning, valid weights."""
    sample, margins, _ = muni
    raked = Design(sample, weights="base_w").rake(margins, epsilon=1e-10, max_iter=3)
    assert raked.converged is False
    assert raked.iterations == 3
    codes = [w.code for w in raked.diagnostics.warnings]
    assert "not_converged" in codes
    assert raked.diagnostics.ok is False
    w = raked.weights.to_numpy()
    assert np.isfinite(w).all() and (w > 0).all()
    assert w.sum() == pytest.approx(48000, rel=1e-12)  # last margin step keeps N
    # the last-but-one pass differs from the converged weights
    tight = variant("muni_rake", "rake_tight").weights.to_numpy()
    assert np.max(np.abs(w - tight)) > 1e-6


def test_epsilon_one_or_more_is_absolute(muni: Case) -> None:
    """epsilon >= 1 is a count of persons, < 1 a fraction of the initial weight sum."""
    sample, margins, _ = muni
    design = Design(sample, weights="base_w")
    assert design.rake(margins, epsilon=1, max_iter=10).diagnostics.epsilon == 1
    assert design.rake(margins, epsilon=0.5).diagnostics.epsilon == pytest.approx(24000)
    assert design.rake(margins, epsilon=0.5).iterations == 1


def test_rake_margins_order_and_weights_none(muni: Case) -> None:
    """Rake meets all margins; shares in diagnostics are consistent."""
    sample, _, _ = muni
    raked = variant("muni_rake", "rake_tight")
    table = raked.diagnostics.margins
    assert list(table.columns) == [
        "variable",
        "category",
        "sample_n",
        "sample_share",
        "population_count",
        "population_share",
        "weighted_count",
        "weighted_share",
    ]
    np.testing.assert_allclose(table["weighted_count"], table["population_count"], rtol=1e-9)
    np.testing.assert_allclose(table["weighted_share"], table["population_share"], rtol=1e-9)
    young = table.set_index(["variable", "category"]).loc[("age", "16-29")]
    assert young["sample_share"] == pytest.approx(0.105, abs=0.0005)
    assert young["population_share"] == pytest.approx(10222 / 48000)
    assert young["sample_n"] == (sample["age"] == "16-29").sum()


def test_mean_of_several_variables_and_two_groupings() -> None:
    """Lists of variables stack; by=[a, b] gives a MultiIndex equal to one combined key."""
    raked = variant("muni_rake", "rake_tight")
    many = raked.mean(["trust_kommun", "trygg"])
    assert list(many.index) == ["trust_kommun", "trygg"]
    assert many.loc["trygg", "se"] == raked.mean("trygg").iloc[0]["se"]
    two = raked.mean("trust_polis", by=["born", "gender"])
    assert two.index.names == ["born", "gender"]
    assert len(two) == 4
    combined = raked.sample["born"] + "/" + raked.sample["gender"]
    w = raked.weights.to_numpy()
    y = raked.sample["trust_polis"].to_numpy(dtype=float)
    resid = ref.residual_rake_sweeps(raked.sample, MUNI_VARS, w)
    est, se = ref.mean_se(y, w, resid, domain=(combined == "utrikes/man").to_numpy())
    assert_rel(two.loc[("utrikes", "man"), "estimate"], est, 1e-12, "estimate (row-level)")
    assert_rel(two.loc[("utrikes", "man"), "se"], se, 1e-9, "se (row-level)")
    stacked = raked.mean(["trust_kommun", "trygg"], by="born")
    assert stacked.index.names == ["variable", "born"]
    assert (
        stacked.loc[("trygg", "utrikes"), "estimate"]
        == raked.mean("trygg", by="born").loc["utrikes", "estimate"]
    )


def test_proportion_of_a_value_and_logit_ci_inside_unit_interval() -> None:
    """value= gives the share of one category; a rare item keeps a positive lower limit."""
    raked = variant("muni_rake", "rake_tight")
    share = raked.proportion("age", value="16-29").iloc[0]
    assert share["estimate"] == pytest.approx(10222 / 48000, rel=1e-9)
    assert share["se"] < 1e-8  # age is a raking margin: no sampling variance left
    rare = (
        (raked.sample["trust_kommun"] == 0)
        .astype(float)
        .where(raked.sample["trust_kommun"].notna())
    )
    row = raked.proportion(rare.rename("zero_trust")).iloc[0]
    normal = raked.mean(rare.rename("zero_trust")).iloc[0]
    assert 0 < row["ci_low"] < row["estimate"] < row["ci_high"] < 1
    assert row["ci_low"] > normal["ci_low"]  # the logit interval is shifted up near 0


# --- post-stratification -------------------------------------------------------------


def _age_gender_cells() -> pd.DataFrame:
    age = {"16-29": 10222, "30-44": 11674, "45-64": 15257, "65-84": 10847}
    share_women = {"16-29": 0.48, "30-44": 0.49, "45-64": 0.5, "65-84": 0.54}
    rows = []
    for a, n in age.items():
        women = round(n * share_women[a])
        rows += [(a, "kvinna", women), (a, "man", n - women)]
    return pd.DataFrame(rows, columns=["age", "gender", "population_count"])


def test_poststratify_hand_computation(muni: Case) -> None:
    """w_i = d_i N_c / sum_{j in c} d_j, with uneven d."""
    sample, _, _ = muni
    sample["d"] = _uneven_weights(len(sample))
    cells = _age_gender_cells()
    post = Design(sample, weights="d").poststratify(cells)
    assert isinstance(post, WeightedDesign) and post.method == "poststratify"
    expected = np.empty(len(sample))
    for _, cell in cells.iterrows():
        idx = ((sample["age"] == cell["age"]) & (sample["gender"] == cell["gender"])).to_numpy()
        expected[idx] = (
            sample["d"].to_numpy()[idx]
            * cell["population_count"]
            / sample["d"].to_numpy()[idx].sum()
        )
    assert_rel(post.weights.to_numpy(), expected, 1e-12, "weights (poststratify)")
    assert post.weights.sum() == pytest.approx(48000, rel=1e-12)
    # marginals in diagnostics come from the cells
    table = post.diagnostics.margins.set_index(["variable", "category"])
    assert (
        table.loc[("gender", "kvinna"), "population_count"]
        == cells.query("gender == 'kvinna'")["population_count"].sum()
    )
    np.testing.assert_allclose(table["weighted_count"], table["population_count"], rtol=1e-12)


def test_poststratify_se_matches_cell_formula(muni: Case) -> None:
    """SE after postStratify == README's cell formula, overall and by group."""
    sample, _, _ = muni
    sample["d"] = _uneven_weights(len(sample))
    post = Design(sample, weights="d").poststratify(_age_gender_cells())
    w = post.weights.to_numpy()
    cells = (sample["age"] + "|" + sample["gender"]).to_numpy()
    resid = ref.residual_poststrat(cells, sample["d"].to_numpy(), w)
    y = sample["trust_politiker"].to_numpy(dtype=float)
    est, se = ref.mean_se(y, w, resid)
    row = post.mean("trust_politiker").iloc[0]
    assert_rel(row["estimate"], est, 1e-12, "estimate (row-level)")
    assert_rel(row["se"], se, 1e-10, "se (poststratify)")
    by = post.mean("trust_politiker", by="district")
    est, se = ref.mean_se(y, w, resid, domain=(sample["district"] == "Norr").to_numpy())
    assert_rel(by.loc["Norr", "se"], se, 1e-10, "se (poststratify)")
    # post-stratifying on age only reproduces the known N_c / n_c weights (d constant)
    age_only = Design(sample, weights="base_w").poststratify(
        pd.DataFrame(
            {
                "age": ["16-29", "30-44", "45-64", "65-84"],
                "population_count": [10222, 11674, 15257, 10847],
            }
        )
    )
    n_age = sample["age"].value_counts()
    assert age_only.weights.iloc[0] == pytest.approx(
        {"16-29": 10222, "30-44": 11674, "45-64": 15257, "65-84": 10847}[sample["age"].iloc[0]]
        / n_age[sample["age"].iloc[0]]
    )


def test_poststratify_stratified_fpc_design(api: Case) -> None:
    """Post-stratification SE on a stratified design with fpc == explicit formula."""
    sample, _, _ = api
    cells = pd.DataFrame({"sch.wide": ["No", "Yes"], "population_count": [1072, 5122]})
    post = Design(sample, weights="pw", strata="stype", fpc="fpc").poststratify(cells)
    w = post.weights.to_numpy()
    resid = ref.residual_poststrat(sample["sch.wide"].to_numpy(), sample["pw"].to_numpy(), w)
    pop = dict(zip(sample["stype"], sample["fpc"], strict=False))
    est, se = ref.mean_se(
        sample["api00"].to_numpy(dtype=float), w, resid, strata=sample["stype"].to_numpy(), pop=pop
    )
    row = post.mean("api00").iloc[0]
    assert_rel(row["estimate"], est, 1e-12, "estimate (row-level)")
    assert_rel(row["se"], se, 1e-10, "se (poststratify)")
    assert post.degf == 197


def test_poststratify_empty_cell_and_partial(muni: Case) -> None:
    """A populated cell without respondents is an error unless partial=True."""
    sample, _, _ = muni
    cells = _age_gender_cells()
    cells.loc[len(cells)] = ["85+", "man", 400]
    from surveys.weighting import EmptyCategoryError

    with pytest.raises(EmptyCategoryError) as info:
        Design(sample, weights="base_w").poststratify(cells)
    assert info.value.code == "empty_category"
    assert info.value.category == ("85+", "man")
    post = Design(sample, weights="base_w").poststratify(cells, partial=True)
    assert post.weights.sum() == pytest.approx(48000, rel=1e-12)  # 48400 minus the 400 left out
    assert any(m.code == "partial" for m in post.diagnostics.messages)
    # zero-population cells with no respondents are ignored silently
    cells.loc[len(cells) - 1, "population_count"] = 0
    quiet = Design(sample, weights="base_w").poststratify(cells)
    assert not any(m.code == "partial" for m in quiet.diagnostics.messages)


def test_poststratify_sample_cell_missing_from_population(muni: Case) -> None:
    """Respondents in a cell the population table lacks: UnknownCategoryError."""
    sample, _, _ = muni
    cells = _age_gender_cells().iloc[1:]  # drop 16-29 kvinna
    from surveys.weighting import UnknownCategoryError

    with pytest.raises(UnknownCategoryError) as info:
        Design(sample, weights="base_w").poststratify(cells)
    n = int(((sample["age"] == "16-29") & (sample["gender"] == "kvinna")).sum())
    assert info.value.n_respondents == n
    assert info.value.values == {("16-29", "kvinna"): n}


# --- calibration ---------------------------------------------------------------------


def test_calibrate_raking_equals_rake(muni: Case) -> None:
    """calfun='raking' gives rake()'s weights (R: max |diff| 4.7e-9) and the same SEs."""
    sample, margins, _ = muni
    cal = Design(sample, weights="base_w").calibrate(margins, method="raking")
    raked = variant("muni_rake", "rake_tight")
    diff = float(np.max(np.abs(cal.weights.to_numpy() - raked.weights.to_numpy())))
    assert diff < 1e-8
    for item in ["trust_kommun", "trygg"]:
        a = cal.mean(item, by="born")
        b = raked.mean(item, by="born")
        assert_rel(a["estimate"], b["estimate"], 1e-9, "estimate (calibrate vs rake)")
        # equal base weights: GREG residual == limit of the raking sweeps
        assert_rel(a["se"], b["se"], 1e-6, "se (calibrate vs rake)")
    assert cal.converged and cal.iterations >= 2
    assert cal.method == "calibrate:raking"


def test_calibrate_linear_meets_margins_exactly(muni: Case) -> None:
    """Closed-form GREG: margins met to rounding; g = 1 + x'lambda (normal equations)."""
    sample, margins, _ = muni
    sample["d"] = _uneven_weights(len(sample))
    cal = Design(sample, weights="d").calibrate(margins, method="linear")
    table = cal.diagnostics.margins
    np.testing.assert_allclose(table["weighted_count"], table["population_count"], rtol=1e-12)
    cats = {v: list(c) for v, c in _margin_dict(margins).items()}
    X = ref.dummies(sample, cats)
    d = sample["d"].to_numpy()
    totals = np.r_[48000, [_margin_dict(margins)[v][c] for v in cats for c in cats[v][1:]]]
    lam = np.linalg.solve(X.T @ (X * d[:, None]), totals - X.T @ d)
    assert_rel(cal.weights.to_numpy(), d * (1 + X @ lam), 1e-10, "weights (linear GREG)")
    assert cal.iterations == 0
    # SE: GREG residual with least squares on the respondent level
    w = cal.weights.to_numpy()
    y = sample["trust_polis"].to_numpy(dtype=float)
    est, se = ref.mean_se(y, w, ref.residual_calibration(X, d, w))
    row = cal.mean("trust_polis").iloc[0]
    assert_rel(row["estimate"], est, 1e-12, "estimate (row-level)")
    assert_rel(row["se"], se, 1e-9, "se (calibrate)")


@pytest.mark.parametrize("method", ["linear", "raking", "logit"])
def test_bounded_calibration_keeps_g_within_bounds(muni: Case, method: str) -> None:
    """bounds=(L, U) hold for g = w/d, margins are still met, SE by the g*sqrt(d) formula."""
    sample, margins, _ = muni
    lo, hi = 0.5, 2.5
    cal = Design(sample, weights="base_w").calibrate(margins, method=method, bounds=(lo, hi))
    g = cal.weights.to_numpy() / 24.0
    assert g.min() >= lo - 1e-12 and g.max() <= hi + 1e-12
    unbounded_linear = Design(sample, weights="base_w").calibrate(margins, method="linear")
    assert (unbounded_linear.weights / 24).min() < lo  # the bounds were binding
    if method == "logit":
        assert g.min() > lo and g.max() < hi  # logit stays strictly inside
    else:
        assert g.min() == pytest.approx(lo) and g.max() == pytest.approx(hi)
    np.testing.assert_allclose(cal.g.to_numpy(), g, rtol=1e-12)
    table = cal.diagnostics.margins
    np.testing.assert_allclose(table["weighted_count"], table["population_count"], rtol=1e-9)
    X = ref.dummies(sample, {v: list(c) for v, c in _margin_dict(margins).items()})
    w = cal.weights.to_numpy()
    y = sample["trust_kommun"].to_numpy(dtype=float)
    _, se = ref.mean_se(y, w, ref.residual_calibration(X, np.full(len(w), 24.0), w))
    assert_rel(cal.mean("trust_kommun").iloc[0]["se"], se, 1e-9, "se (calibrate)")


def test_calibration_infeasible_bounds_raise(muni: Case) -> None:
    """16-29 needs g of about 2.03 on average: bounds (0.5, 2) cannot be met."""
    sample, margins, _ = muni
    with pytest.raises(ConvergenceError) as info:
        Design(sample, weights="base_w").calibrate(
            margins, method="raking", bounds=(0.5, 2.0), max_iter=50
        )
    assert info.value.code == "calibration_failed"
    assert info.value.achieved > 1e-4
    assert info.value.iterations == 50


def test_calibration_argument_errors(muni: Case) -> None:
    """Logit needs finite bounds; unknown methods and bounds excluding 1 are refused."""
    sample, margins, _ = muni
    design = Design(sample, weights="base_w")
    with pytest.raises(WeightingError, match="finite bounds"):
        design.calibrate(margins, method="logit")
    with pytest.raises(WeightingError, match="Unknown calibration method"):
        design.calibrate(margins, method="cubic")  # type: ignore[arg-type]
    with pytest.raises(WeightingError, match="include 1"):
        design.calibrate(margins, method="linear", bounds=(1.5, 3.0))


# --- trimming ------------------------------------------------------------------------


def test_trim_invariants_and_se_keep_raking_residual() -> None:
    """Total kept, bounds respected (strict), SE uses the raking residualization."""
    raked = variant("muni_rake", "rake_tight")
    trimmed = raked.trim(lower=13, upper=56.5, strict=True)
    w = trimmed.weights.to_numpy()
    assert w.sum() == pytest.approx(raked.weights.sum(), rel=1e-13)
    assert w.min() >= 13 and w.max() <= 56.5
    assert any(m.code == "margins_not_matched" for m in trimmed.diagnostics.warnings)
    # raking residual with the *raked* weights as psw, trimmed weights in z
    sample = raked.sample
    psw = raked.weights.to_numpy()
    y = sample["trust_kommun"].to_numpy(dtype=float)
    _, z = ref.z_values(y, w)
    e = ref.residual_rake_sweeps(sample, MUNI_VARS, psw)(z)
    assert_rel(
        trimmed.mean("trust_kommun").iloc[0]["se"], np.sqrt(ref.variance(e)), 1e-9, "se (trim)"
    )
    # without the raking residual the SE would be clearly different
    assert abs(np.sqrt(ref.variance(z)) / np.sqrt(ref.variance(e)) - 1) > 0.01


def test_trim_errors_and_base_design_trim(muni: Case) -> None:
    """Impossible bounds raise TrimError; trimming an unweighted design works."""
    from surveys.weighting import TrimError

    raked = variant("muni_rake", "rake_tight")
    with pytest.raises(TrimError):
        raked.trim(lower=30, upper=60)  # mean weight is 24
    with pytest.raises(TrimError):
        raked.trim(lower=40, upper=20)
    sample, _, _ = muni
    sample["d"] = _uneven_weights(len(sample))
    trimmed = Design(sample, weights="d").trim(upper=30)
    d = sample["d"].to_numpy()
    inside = d <= 30
    expected = np.minimum(d, 30.0)
    expected[inside] += (d - np.minimum(d, 30.0)).sum() / inside.sum()
    assert_rel(trimmed.weights.to_numpy(), expected, 1e-13, "weights (trim)")
    assert (trimmed.weights.to_numpy()[~inside] == 30).all()
    assert trimmed.weights.sum() == pytest.approx(d.sum(), rel=1e-13)
    assert trimmed.method == "design + trim"
    untouched = raked.trim(lower=1, upper=1000)
    np.testing.assert_array_equal(untouched.weights, raked.weights)


def test_chained_weighting_keeps_both_residualizations(muni: Case) -> None:
    """Post-stratifying a raked design: weights and SE follow R's accumulated postStrata."""
    raked = variant("muni_rake", "rake_tight")
    cells = pd.DataFrame({"born": ["inrikes", "utrikes"], "population_count": [37000, 11000]})
    post = raked.poststratify(cells)
    w0 = raked.weights.to_numpy()
    born = raked.sample["born"].to_numpy()
    expected = w0 * np.where(
        born == "inrikes", 37000 / w0[born == "inrikes"].sum(), 11000 / w0[born == "utrikes"].sum()
    )
    assert_rel(post.weights.to_numpy(), expected, 1e-12, "weights (chained)")
    y = raked.sample["trygg"].to_numpy(dtype=float)
    _, z = ref.z_values(y, post.weights.to_numpy())
    e = ref.residual_rake_sweeps(raked.sample, MUNI_VARS, w0)(z)
    e = ref.residual_poststrat(born, w0, post.weights.to_numpy())(e)
    assert_rel(post.mean("trygg").iloc[0]["se"], np.sqrt(ref.variance(e)), 1e-9, "se (chained)")


# --- estimation details ----------------------------------------------------------------


def test_group_logit_ci_uses_domain_degrees_of_freedom() -> None:
    """Per group df = respondents in the group - strata present (R svyby + svyciprop)."""
    from scipy import special, stats

    raked = variant("muni_rake", "rake_tight")
    p = raked.proportion("kontakt", by="born")
    n_born = raked.sample["born"].value_counts()
    assert p.loc["utrikes", "df"] == n_born["utrikes"] - 1  # item-missing rows still count
    assert raked.proportion("kontakt").iloc[0]["df"] == 1999
    row = p.loc["utrikes"]
    q = stats.t.ppf(0.975, n_born["utrikes"] - 1)
    half = q * row["se"] / (row["estimate"] * (1 - row["estimate"]))
    expected = special.expit(special.logit(row["estimate"]) + np.array([-half, half]))
    assert_rel([row["ci_low"], row["ci_high"]], expected, 1e-12, "ci (group logit)")
    strat = variant("api_rake", "strat_fpc__stype_mealscat__tight")
    by_type = strat.proportion("awards", by="stype")
    counts = strat.sample["stype"].value_counts()
    assert by_type["df"].to_dict() == {k: counts[k] - 1 for k in ["E", "H", "M"]}


def test_empty_domain_gives_nan_without_warnings(muni: Case) -> None:
    """A group whose outcome is all missing: NaN estimate, n = 0, no RuntimeWarning."""
    sample, margins, _ = muni
    sample.loc[sample["district"] == "Norr", "trygg"] = np.nan
    raked = Design(sample, weights="base_w").rake(margins)
    by = raked.mean("trygg", by="district")
    assert by.loc["Norr", "n"] == 0
    assert np.isnan(by.loc["Norr", "estimate"]) and np.isnan(by.loc["Norr", "se"])
    assert np.isfinite(by.drop(index="Norr")["se"]).all()
    prop = raked.proportion("trygg", by="district")
    assert np.isnan(prop.loc["Norr", "ci_low"])


def test_diagnostics_to_dict_is_json(muni: Case) -> None:
    """Diagnostics serialise for the UI; histogram covers every respondent."""
    import json

    raked = variant("muni_rake", "rake_default_control")
    payload = json.loads(json.dumps(raked.diagnostics.to_dict()))
    assert payload["method"] == "rake" and payload["iterations"] == 4
    assert sum(payload["histogram"]["counts"]) == 2000
    assert len(payload["histogram"]["edges"]) == 21
    assert payload["histogram"]["edges"][0] == pytest.approx(raked.weights.min())
    assert len(payload["margins"]) == 13
    assert payload["margins"][0]["variable"] == "age"
    # the same histogram as numpy's on the respondent weights
    counts, _ = np.histogram(raked.weights.to_numpy(), bins=20)
    np.testing.assert_array_equal(raked.diagnostics.histogram_counts, counts)
