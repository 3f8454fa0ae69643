"""Fixtures for the weighting tests: the R reference cases in tests/data/weighting."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from tests.support.reference import RelativeErrors, load_case, reference_design

#: The largest relative error per quantity, printed in the terminal summary.
ERRORS = RelativeErrors()
assert_rel = ERRORS.check


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Print the largest relative error per quantity."""
    ERRORS.report(terminalreporter, 'weighting: max relative errors (plain: vs R survey 4.1; (...): vs row-level code)')


def hog(sample: pd.DataFrame) -> pd.Series:
    """trust_kommun_hog = 1 if trust_kommun >= 7, 0 if <= 6, missing if missing."""
    return (
        (sample["trust_kommun"] >= 7)
        .astype(float)
        .where(sample["trust_kommun"].notna())
        .rename("trust_kommun_hog")
    )


#: The design of one reference variant, built with the R call recorded beside it.
variant = reference_design


@pytest.fixture
def muni() -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    """(sample, margins, expected) for muni_rake."""
    return load_case("muni_rake")


@pytest.fixture
def api() -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    """(sample, margins, expected) for api_rake."""
    return load_case("api_rake")
