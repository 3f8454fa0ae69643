"""Fixtures for the indicator tests: the weighting engine's R reference cases.

The designs are rebuilt here with the calls recorded in expected.json (not borrowed from
tests/weighting), so these tests stand on their own.
"""

from __future__ import annotations

from typing import Any

from tests.support.reference import RelativeErrors, load_case

#: The largest relative error per quantity, printed in the terminal summary.
ERRORS = RelativeErrors()
assert_rel = ERRORS.check


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Print the largest relative error per quantity."""
    ERRORS.report(terminalreporter, 'indicators: max relative errors')


#: Fresh copies of (sample, margins, expected) of a reference case.
case_data = load_case
