"""Print the agreement with Pol.is after the run, like the weighting tests print their errors."""

from __future__ import annotations

from typing import Any

import pytest

from tests.dialog.polis_reference import REPORTED


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """One line per conversation: clustered, k, ARI, consensus rank correlation."""
    if not REPORTED:
        return
    terminalreporter.write_sep("-", "dialog.opinion vs Pol.is (tests/data/polis, CC BY 4.0)")
    for name, a in sorted(REPORTED.items()):
        terminalreporter.write_line(
            f"{name:<22} grouped ours/polis/both {a.ours_grouped}/{a.polis_grouped}/"
            f"{a.both_grouped}  k {a.our_k} vs {a.polis_k}  ARI {a.ari:.3f}  "
            f"consensus rho {a.consensus_rho:.3f}  top-5 shared {a.consensus_top5_shared}")


@pytest.fixture
def client(app):
    """A browser that prefers English, so the tests can read the interface's own words."""
    browser = app.test_client()
    browser.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return browser


@pytest.fixture
def make_client(app):
    """Another phone or browser, also preferring English."""

    def make():
        browser = app.test_client()
        browser.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
        return browser

    return make
