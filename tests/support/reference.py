"""Comparing with the R reference cases in tests/data/weighting, recording the worst error."""

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


class RelativeErrors:
    """Relative-error assertions that remember the largest error per quantity for a summary."""

    def __init__(self) -> None:
        self.worst: dict[str, float] = defaultdict(float)

    def check(self, actual: Any, expected: Any, rtol: float, quantity: str) -> None:
        """Assert |actual/expected - 1| <= rtol elementwise and record the largest error."""
        a = np.asarray(actual, dtype=float)
        e = np.asarray(expected, dtype=float)
        assert a.shape == e.shape, (a.shape, e.shape)
        err = np.abs(a - e) / np.maximum(np.abs(e), 1e-300)
        worst = float(err.max()) if err.size else 0.0
        self.worst[quantity] = max(self.worst[quantity], worst)
        assert worst <= rtol, f"{quantity}: relative error {worst:.3g} > {rtol:g}"

    def report(self, terminalreporter: Any, title: str) -> None:
        """Print the largest relative error per quantity in pytest's terminal summary."""
        if self.worst:
            terminalreporter.write_sep("-", title)
            for quantity in sorted(self.worst):
                terminalreporter.write_line(f"{quantity:>40}: {self.worst[quantity]:.2e}")


@cache
def _load(case: str) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    sample = pd.read_csv(DATA / case / "sample.csv", encoding="utf-8")
    sample["id"] = sample["id"].astype(str)
    margins = read_margins(DATA / case / "margins.csv")
    expected = json.loads((DATA / case / "expected.json").read_text(encoding="utf-8"))
    return sample.set_index("id"), margins, expected


def load_case(case: str) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    """Fresh copies of (sample, margins, expected) of a reference case."""
    sample, margins, expected = _load(case)
    return sample.copy(), margins.copy(), expected


@cache
def reference_design(case: str, name: str) -> Any:
    """The design of one reference variant, built with the R call recorded beside it."""
    sample, margins, _ = load_case(case)
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
