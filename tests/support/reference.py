"""Comparing with the R reference cases in tests/data/weighting, recording the worst error."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

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
