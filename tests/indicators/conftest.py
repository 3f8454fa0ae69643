"""Fixtures for the indicator tests: the weighting engine's R reference cases.

The designs are rebuilt here with the calls recorded in expected.json (not borrowed from
tests/weighting), so these tests stand on their own.
"""

from __future__ import annotations

import json
from collections import defaultdict
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from surveys.weighting import Design, read_margins

DATA = Path(__file__).resolve().parents[1] / "data" / "weighting"

#: Largest relative error per quantity against R, printed in the terminal summary.
MAX_ERRORS: dict[str, float] = defaultdict(float)


def assert_rel(actual: Any, expected: Any, rtol: float, quantity: str) -> None:
    """|actual/expected - 1| <= rtol elementwise; the worst error is recorded."""
    a = np.asarray(actual, dtype=float)
    e = np.asarray(expected, dtype=float)
    assert a.shape == e.shape, (a.shape, e.shape)
    err = np.abs(a - e) / np.maximum(np.abs(e), 1e-300)
    worst = float(err.max()) if err.size else 0.0
    MAX_ERRORS[quantity] = max(MAX_ERRORS[quantity], worst)
    assert worst <= rtol, f"{quantity}: relative error {worst:.3g} > {rtol:g}"


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Print the largest relative error per quantity."""
    if MAX_ERRORS:
        terminalreporter.write_sep("-", "indicators: max relative errors")
        for k in sorted(MAX_ERRORS):
            terminalreporter.write_line(f"{k:>40}: {MAX_ERRORS[k]:.2e}")


@cache
def _case(case: str) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    sample = pd.read_csv(DATA / case / "sample.csv", encoding="utf-8")
    sample["id"] = sample["id"].astype(str)
    margins = read_margins(DATA / case / "margins.csv")
    expected = json.loads((DATA / case / "expected.json").read_text(encoding="utf-8"))
    return sample.set_index("id"), margins, expected


def case_data(case: str) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    """(sample copy, margins copy, expected) of a reference case."""
    sample, margins, expected = _case(case)
    return sample.copy(), margins.copy(), expected


@cache
def reference_design(case: str, name: str) -> Any:
    """The design of one reference variant, built with the R call recorded beside it."""
    sample, margins, _ = case_data(case)
    if case == "muni_rake":
        sample["fpc_N"] = 48000
        design = Design(sample, weights="base_w")
        if name == "estimates_unweighted_design":
            return design
        if name == "rake_default_control":
            return design.rake(margins, epsilon=1, max_iter=10)
        if name == "rake_tight_fpc":
            return Design(sample, weights="base_w", fpc="fpc_N").rake(
                margins, epsilon=1e-10, max_iter=100
            )
        tight = design.rake(margins, epsilon=1e-10, max_iter=100)
        trims = {
            "rake_tight": None,
            "rake_tight_then_trim_12_60": (12, 60, False),
            "rake_tight_then_trim_13_56.5": (13, 56.5, False),
            "rake_tight_then_trim_13_56.5_strict": (13, 56.5, True),
        }
        spec = trims[name]
        return tight if spec is None else tight.trim(lower=spec[0], upper=spec[1], strict=spec[2])
    strat = Design(sample, weights="pw", strata="stype", fpc="fpc")
    if name == "estimates_before_raking_strat_fpc":
        return strat

    def sub(*variables: str) -> pd.DataFrame:
        return margins[margins["variable"].isin(variables)]

    if name == "strat_fpc__stype_schwide__default_control":
        return strat.rake(sub("stype", "sch.wide"), epsilon=1, max_iter=10)
    if name == "strat_fpc__stype_mealscat__tight":
        return strat.rake(sub("stype", "meals_cat"), epsilon=1e-10, max_iter=100)
    if name == "simple__stype_mealscat__tight":
        return Design(sample, weights="pw").rake(
            sub("stype", "meals_cat"), epsilon=1e-10, max_iter=100
        )
    raise KeyError(name)
