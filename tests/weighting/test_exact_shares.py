"""Proportions of exactly 0 or 1: the value itself and an exact interval, not 1e-16 and (p, p)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from surveys.weighting import Design
from surveys.weighting.estimation import clopper_pearson


def test_clopper_pearson_matches_the_binomial_test_for_whole_numbers() -> None:
    for x, n in [(0, 7), (3, 7), (7, 7), (12, 40)]:
        lo, hi = clopper_pearson(np.array([x]), np.array([n]), 0.95)
        ref = stats.binomtest(x, n).proportion_ci(confidence_level=0.95, method="exact")
        assert (lo[0], hi[0]) == pytest.approx((ref.low, ref.high), rel=1e-12, abs=1e-15)


def test_raked_share_of_zero_in_a_group_is_zero_with_an_exact_interval() -> None:
    rng = np.random.default_rng(5)
    n = 200
    sample = pd.DataFrame({
        "sex": rng.choice(["f", "m"], n),
        "age": rng.choice(["young", "old"], n),
    })
    sample["y"] = np.where(sample["age"] == "young", 0.0, (rng.random(n) < 0.4).astype(float))
    margins = {"sex": {"f": 520.0, "m": 480.0}, "age": {"young": 300.0, "old": 700.0}}
    raked = Design(sample, weights=None).rake(margins)
    table = raked.proportion("y", by="age")
    young = table.loc["young"]
    assert young["estimate"] == 0.0 and young["se"] == 0.0 and young["ci_low"] == 0.0
    w = raked.weights[sample["age"] == "young"]
    n_eff = w.sum() ** 2 / (w**2).sum()
    assert n_eff < (sample["age"] == "young").sum()  # unequal weights: fewer than n
    assert young["ci_high"] == pytest.approx(1 - 0.025 ** (1 / n_eff), rel=1e-12)
    old = table.loc["old"]
    assert 0 < old["ci_low"] < old["estimate"] < old["ci_high"] < 1  # the logit interval
