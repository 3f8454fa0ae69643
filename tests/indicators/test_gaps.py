"""Gaps between groups: the SE of a difference of two domain estimates of one design.

Checked three independent ways: influence values written out here with numpy (the
raking residual as the least-squares limit of R's sweeps, the post-stratification
residual cell by cell, the stratified variance with fpc as an explicit loop), R's own
group SEs for the diagonal, and a bootstrap that re-rakes every replicate.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from surveys.indicators import (
    DisclosureRules,
    GapSpec,
    MeanIndicator,
    ShareIndicator,
    estimate_wave,
)
from surveys.weighting import Design
from tests.support.reference import reference_design

from .conftest import assert_rel, case_data

# -- influence values by hand ------------------------------------------------------------


def hand_z(y: np.ndarray, w: np.ndarray, domain: np.ndarray) -> tuple[float, np.ndarray]:
    """Ratio mean over the domain and z_i = w_i (y_i - ybar)/S (0 outside or missing)."""
    use = domain & ~np.isnan(y)
    S = w[use].sum()
    ybar = float((w[use] * y[use]).sum() / S)
    z = np.zeros_like(w)
    z[use] = w[use] * (y[use] - ybar) / S
    return ybar, z


def dummies(frame: pd.DataFrame, variables: list[str]) -> np.ndarray:
    """All category indicators of every raking variable (rank deficiency is fine for lstsq)."""
    return np.hstack([pd.get_dummies(frame[v]).to_numpy(dtype=float) for v in variables])


def rake_residual(z: np.ndarray, w: np.ndarray, X: np.ndarray) -> np.ndarray:
    """Limit of R's sweeps z <- z - w ave(z/w | margin): e = w (u - X b), u = z/w, OLS b."""
    u = z / w
    b = np.linalg.lstsq(X, u, rcond=None)[0]
    return w * (u - X @ b)


def poststrat_residual(z: np.ndarray, d: np.ndarray, w: np.ndarray, cell: np.ndarray) -> np.ndarray:
    """e_i = z_i - w_i sum_{j in c} z_j d_j / w_j / sum_{j in c} d_j, one cell at a time."""
    e = z.copy()
    for c in np.unique(cell):
        k = cell == c
        e[k] = z[k] - w[k] * (z[k] * d[k] / w[k]).sum() / d[k].sum()
    return e


def hand_covariance(
    e1: np.ndarray,
    e2: np.ndarray,
    strata: np.ndarray,
    population: dict[object, float] | None = None,
) -> float:
    """sum_h n_h/(n_h-1) (1 - n_h/N_h) sum_{i in h} (e1 - mean)(e2 - mean), by loop."""
    total = 0.0
    for h in np.unique(strata):
        k = strata == h
        n_h = int(k.sum())
        f = 0.0 if population is None else n_h / population[h]
        total += (
            n_h
            / (n_h - 1)
            * (1 - f)
            * float(((e1[k] - e1[k].mean()) * (e2[k] - e2[k].mean())).sum())
        )
    return total


def hand_gap(y, w, a, b, residual, strata, population=None) -> tuple[float, float, float]:
    """(difference, SE, covariance) with Var = V(a) + V(b) - 2 Cov(a, b)."""
    ya, za = hand_z(y, w, a)
    yb, zb = hand_z(y, w, b)
    ea, eb = residual(za), residual(zb)
    va = hand_covariance(ea, ea, strata, population)
    vb = hand_covariance(eb, eb, strata, population)
    cab = hand_covariance(ea, eb, strata, population)
    return ya - yb, math.sqrt(va + vb - 2 * cab), cab


# -- the tests ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "variable,minuend,subtrahend",
    [
        ("born", "utrikes", "inrikes"),
        ("district", "Söder", "Väster"),
        ("age", "16-29", "65-84"),
    ],
)
@pytest.mark.parametrize("share", [False, True], ids=["mean", "share"])
def test_gap_after_raking_equals_hand_influence_values(
    variable: str, minuend: str, subtrahend: str, share: bool
) -> None:
    """muni rake_tight: the gap's SE and covariance from influence values derived by hand."""
    sample, _, _ = case_data("muni_rake")
    design = reference_design("muni_rake", "rake_tight")
    indicator = (
        ShareIndicator(key="hog", item="trust_kommun", values=range(7, 11))
        if share
        else MeanIndicator(key="kommun", item="trust_kommun")
    )
    wave = estimate_wave(
        indicator,
        design,
        year=2025,
        groups=[variable],
        gaps=[GapSpec(variable, minuend, subtrahend)],
    )
    gap = wave.gaps[0]

    y = indicator.score(sample).to_numpy()
    w = design.weights.to_numpy()
    X = dummies(sample, ["age", "gender", "born", "district"])
    groups = sample[variable].to_numpy()
    d, se, cov = hand_gap(
        y,
        w,
        groups == minuend,
        groups == subtrahend,
        lambda z: rake_residual(z, w, X),
        np.zeros(len(y)),
    )
    assert_rel(gap.value, d, 1e-12, "gap estimate (by hand)")
    assert_rel(gap.se, se, 1e-8, "gap SE (hand influence values)")
    assert_rel(gap.covariance, cov, 1e-6, "gap covariance (hand influence values)")
    assert gap.covariance != 0.0
    q = stats.norm.ppf(0.975)
    assert (gap.ci_low, gap.ci_high) == pytest.approx((d - q * se, d + q * se), rel=1e-8)
    assert gap.p_value == pytest.approx(2 * stats.norm.sf(abs(d) / se), rel=1e-8)


VARIANTS = [
    ("muni_rake", v)
    for v in (
        "estimates_unweighted_design",
        "rake_tight",
        "rake_default_control",
        "rake_tight_fpc",
        "rake_tight_then_trim_12_60",
        "rake_tight_then_trim_13_56.5",
        "rake_tight_then_trim_13_56.5_strict",
    )
] + [
    ("api_rake", v)
    for v in (
        "estimates_before_raking_strat_fpc",
        "strat_fpc__stype_schwide__default_control",
        "strat_fpc__stype_mealscat__tight",
        "simple__stype_mealscat__tight",
    )
]


@pytest.mark.parametrize("case,name", VARIANTS)
def test_gap_variance_terms_are_the_engines_group_variances(case: str, name: str) -> None:
    """Var(gap) + 2 Cov = SE_a^2 + SE_b^2 for every weighting variant (trim, fpc, strata):
    the influence values reproduce the engine's residualization in each of them."""
    design = reference_design(case, name)
    item, variable, a, b = (
        ("trust_politiker", "district", "Norr", "Söder")
        if case == "muni_rake"
        else ("api00", "sch.wide", "Yes", "No")
    )
    wave = estimate_wave(
        MeanIndicator(key="m", item=item),
        design,
        year=2025,
        groups=[variable],
        gaps=[GapSpec(variable, a, b)],
    )
    gap, ea, eb = wave.gaps[0], wave.group(variable, a), wave.group(variable, b)
    assert_rel(
        gap.se**2 + 2 * gap.covariance,
        ea.se**2 + eb.se**2,
        1e-10,
        "gap V_aa + V_bb vs engine group SEs",
    )


def test_gap_components_are_r_group_estimates() -> None:
    """The two terms of the gap are R's svyby SEs (V_aa, V_bb), the difference R's estimates."""
    _, _, expected = case_data("muni_rake")
    ref = {
        (e["outcome"], e["group"]): e
        for e in expected["variants"][0]["estimates"]
        if e["group_by"] == "born"
    }
    design = reference_design("muni_rake", "rake_tight")
    wave = estimate_wave(
        MeanIndicator(key="polis", item="trust_polis"),
        design,
        year=2025,
        groups=["born"],
        gaps=[GapSpec("born", "utrikes", "inrikes")],
    )
    gap = wave.gaps[0]
    a, b = ref[("trust_polis", "utrikes")], ref[("trust_polis", "inrikes")]
    assert_rel(gap.value, a["estimate"] - b["estimate"], 1e-8, "gap estimate vs R")
    var_without_cov = a["se"] ** 2 + b["se"] ** 2
    assert_rel(gap.se**2 + 2 * gap.covariance, var_without_cov, 1e-6, "gap V_aa + V_bb vs R")


@pytest.mark.parametrize(
    "item,variable,minuend,subtrahend",
    [
        ("api00", "sch.wide", "Yes", "No"),
        ("api00", "awards", 1, 0),
        ("enroll", "meals_cat", "high", "low"),
    ],
)
def test_gap_in_stratified_fpc_raked_design_equals_hand_computation(
    item: str, variable: str, minuend: object, subtrahend: object
) -> None:
    """api strata + fpc + raking: explicit stratum loop with fpc; here the covariance is big."""
    name = "strat_fpc__stype_mealscat__tight"
    sample, _, _ = case_data("api_rake")
    design = reference_design("api_rake", name)
    wave = estimate_wave(
        MeanIndicator(key=item, item=item),
        design,
        year=2025,
        groups=[variable],
        gaps=[GapSpec(variable, minuend, subtrahend)],
    )
    gap = wave.gaps[0]
    y = sample[item].to_numpy(dtype=float)
    w = design.weights.to_numpy()
    X = dummies(sample, ["stype", "meals_cat"])
    strata = sample["stype"].to_numpy()
    population = sample.groupby("stype")["fpc"].first().to_dict()
    groups = sample[variable].to_numpy()
    d, se, cov = hand_gap(
        y,
        w,
        groups == minuend,
        groups == subtrahend,
        lambda z: rake_residual(z, w, X),
        strata,
        population,
    )
    assert_rel(gap.value, d, 1e-12, "gap estimate (by hand)")
    assert_rel(gap.se, se, 1e-8, "gap SE (strata, fpc, hand)")
    assert_rel(gap.covariance, cov, 1e-6, "gap covariance (strata, fpc, hand)")
    # Leaving the covariance out would misstate these SEs by 4-21%.
    a, b = wave.group(variable, minuend), wave.group(variable, subtrahend)
    naive = math.hypot(a.se, b.se)
    assert abs(gap.se / naive - 1) > 0.03


def test_gap_after_poststratification_of_a_small_sample_by_hand() -> None:
    """20 respondents, uneven base weights, two strata, post-stratified on three cells."""
    rng = np.random.default_rng(7)
    n = 20
    frame = pd.DataFrame(
        {
            "d": rng.uniform(5, 15, n).round(2),
            "stratum": ["s1"] * 11 + ["s2"] * 9,
            "cell": rng.choice(["a", "b", "c"], n),
            "group": rng.choice(["x", "y"], n),
            "item": rng.integers(0, 11, n).astype(float),
        },
        index=[f"r{i}" for i in range(n)],
    )
    frame.loc["r3", "item"] = np.nan  # a missing answer stays in the design
    frame["fpc"] = frame["stratum"].map({"s1": 110.0, "s2": 200.0})
    cells = pd.DataFrame({"cell": ["a", "b", "c"], "population_count": [120.0, 90.0, 100.0]})
    design = Design(frame, weights="d", strata="stratum", fpc="fpc").poststratify(cells)
    wave = estimate_wave(
        MeanIndicator(key="m", item="item"),
        design,
        year=2025,
        groups=["group"],
        gaps=[GapSpec("group", "y", "x")],
        rules=DisclosureRules(min_n=0),
    )
    gap = wave.gaps[0]
    y = frame["item"].to_numpy()
    w = design.weights.to_numpy()
    d = frame["d"].to_numpy()
    groups = frame["group"].to_numpy()
    est, se, cov = hand_gap(
        y,
        w,
        groups == "y",
        groups == "x",
        lambda z: poststrat_residual(z, d, w, frame["cell"].to_numpy()),
        frame["stratum"].to_numpy(),
        {"s1": 110.0, "s2": 200.0},
    )
    assert_rel(gap.value, est, 1e-12, "gap estimate (small, by hand)")
    assert_rel(gap.se, se, 1e-10, "gap SE (small poststrat, by hand)")
    assert_rel(gap.covariance, cov, 1e-8, "gap covariance (small poststrat, by hand)")
    # the diagonal is each group's own variance
    for g, mask in (("y", groups == "y"), ("x", groups == "x")):
        _, z = hand_z(y, w, mask)
        e = poststrat_residual(z, d, w, frame["cell"].to_numpy())
        v = hand_covariance(e, e, frame["stratum"].to_numpy(), {"s1": 110.0, "s2": 200.0})
        assert_rel(wave.group("group", g).se, math.sqrt(v), 1e-10, "group SE (small, by hand)")


def test_gap_se_agrees_with_a_bootstrap_that_re_rakes() -> None:
    """Resample respondents, rake again, recompute the gap: SD within 20% of the SE.

    B = 200 gives the bootstrap SD a Monte Carlo error of about 5%; the seed is fixed.
    """
    sample, margins, _ = case_data("muni_rake")
    indicator = ShareIndicator(key="hog", item="trust_kommun", values=range(7, 11))
    design = reference_design("muni_rake", "rake_tight")
    wave = estimate_wave(
        indicator,
        design,
        year=2025,
        groups=["district"],
        gaps=[GapSpec("district", "Söder", "Centrum")],
    )
    gap = wave.gaps[0]
    y = indicator.score(sample).to_numpy()
    district = sample["district"].to_numpy()
    rng = np.random.default_rng(20240611)
    draws = []
    for _ in range(200):
        idx = rng.integers(0, len(sample), len(sample))
        boot = sample.iloc[idx].reset_index(drop=True)
        w = Design(boot, weights="base_w").rake(margins, epsilon=1e-6).weights.to_numpy()
        yb, gb = y[idx], district[idx]
        ok = ~np.isnan(yb)

        def mean(group: str, w=w, yb=yb, gb=gb, ok=ok) -> float:
            k = ok & (gb == group)
            return float((w[k] * yb[k]).sum() / w[k].sum())

        draws.append(mean("Söder") - mean("Centrum"))
    ratio = np.std(draws, ddof=1) / gap.se
    assert 0.8 < ratio < 1.2, ratio
    assert abs(np.mean(draws) - gap.value) < 0.3 * gap.se  # no bias to speak of



def test_a_wave_result_survives_its_json_form() -> None:
    """The app stores WaveResult.to_dict() as JSON and reads it back for the follow-up."""
    import json

    from surveys.indicators import WaveResult

    wave = estimate_wave(
        ShareIndicator(key="polis_hog", item="trust_polis", values=range(7, 11)),
        reference_design("muni_rake", "rake_tight"),
        year=2025,
        groups=["born", "district"],
        gaps=[GapSpec("born", "utrikes", "inrikes")],
        rules=DisclosureRules(min_n=40),
    )
    back = WaveResult.from_dict(json.loads(json.dumps(wave.to_dict())))
    assert back == wave
    assert back.gaps[0].value == wave.gaps[0].value
