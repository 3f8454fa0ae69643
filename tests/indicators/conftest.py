"""Fixtures for the indicator tests: the weighting engine's R reference cases.

The designs are rebuilt here with the calls recorded in expected.json (not borrowed from
tests/weighting), so these tests stand on their own.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import pandas as pd

from surveys.weighting import Design, read_margins
from tests.support.reference import DATA, RelativeErrors

#: The largest relative error per quantity, printed in the terminal summary.
ERRORS = RelativeErrors()
assert_rel = ERRORS.check


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Print the largest relative error per quantity."""
    ERRORS.report(terminalreporter, 'indicators: max relative errors')


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
