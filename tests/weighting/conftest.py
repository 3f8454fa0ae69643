"""Fixtures for the weighting tests: the R reference cases in tests/data/weighting."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import pandas as pd
import pytest

from surveys.weighting import Design, read_margins
from tests.support.reference import DATA, RelativeErrors

#: The largest relative error per quantity, printed in the terminal summary.
ERRORS = RelativeErrors()
assert_rel = ERRORS.check


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Print the largest relative error per quantity."""
    ERRORS.report(terminalreporter, 'weighting: max relative errors (plain: vs R survey 4.1; (...): vs row-level code)')


@cache
def _load(case: str) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    sample = pd.read_csv(DATA / case / "sample.csv", encoding="utf-8")
    sample["id"] = sample["id"].astype(str)
    sample = sample.set_index("id")
    margins = read_margins(DATA / case / "margins.csv")
    expected = json.loads((DATA / case / "expected.json").read_text(encoding="utf-8"))
    return sample, margins, expected


def load_case(case: str) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    """Fresh copies of (sample, margins, expected) for a case."""
    sample, margins, expected = _load(case)
    return sample.copy(), margins.copy(), expected


def hog(sample: pd.DataFrame) -> pd.Series:
    """trust_kommun_hog = 1 if trust_kommun >= 7, 0 if <= 6, missing if missing."""
    return (
        (sample["trust_kommun"] >= 7)
        .astype(float)
        .where(sample["trust_kommun"].notna())
        .rename("trust_kommun_hog")
    )


@cache
def muni_variant(name: str) -> Any:
    """The weighted design for a muni_rake variant (or the unweighted design)."""
    sample, margins, _ = load_case("muni_rake")
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


@cache
def api_variant(name: str) -> Any:
    """The weighted design for an api_rake variant (or the design before raking)."""
    sample, margins, _ = load_case("api_rake")
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


def variant(case: str, name: str) -> Any:
    """Dispatch to the case's builder."""
    return muni_variant(name) if case == "muni_rake" else api_variant(name)


@pytest.fixture
def muni() -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    """(sample, margins, expected) for muni_rake."""
    return load_case("muni_rake")


@pytest.fixture
def api() -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    """(sample, margins, expected) for api_rake."""
    return load_case("api_rake")
